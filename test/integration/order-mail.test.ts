import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { Order } from '../../lambda/checkout/model/order.js';
import { MAIL_LEASE_MS } from '../../lambda/checkout/use-cases/order-mail.js';
import { refund } from '../../lambda/checkout/use-cases/refund.js';
import { orderView } from '../../lambda/checkout/views/order-view.js';
import { orderMailHandler } from '../../lambda/handlers/order-mail-handler.js';
import { DynamoMailLog } from '../../lambda/store/dynamo-mail-log.js';
import { wireOrderMail } from '../../lambda/wiring/order-mail.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

/** An .eml as a reader sees it: decoded headers and the two decoded parts. */
function readEml(path: string) {
  const eml = readFileSync(path, 'utf8');
  const [head = ''] = eml.split('\r\n\r\n');
  const header = (name: string) =>
    new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1]?.replace(/\r$/, '') ?? '';
  // Whitespace between two encoded-words is not part of the text (RFC 2047 §6.2).
  const words = (value: string) =>
    value
      .replace(/\?=\s+=\?/g, '?==?')
      .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/g, (_word, base64: string) =>
        Buffer.from(base64, 'base64').toString('utf8'),
      );
  const parts = [
    ...eml.matchAll(/Content-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/g),
  ].map((match) => Buffer.from((match[1] as string).replace(/\r\n/g, ''), 'base64').toString('utf8'));
  return {
    to: words(header('To')),
    subject: words(header('Subject')),
    from: header('From'),
    text: parts[0] ?? '',
    html: parts[1] ?? '',
  };
}

describe('the shopper’s mails, written locally as .eml files (DynamoDB Local + sandbox)', () => {
  let stack: TestStack;
  const mailDir = join(mkdtempSync(join(tmpdir(), 'glase-mail-')), 'mail');
  const mails = () => {
    try {
      return readdirSync(mailDir).sort();
    } catch {
      return [];
    }
  };
  beforeAll(async () => {
    stack = await startTestStack({ environment: { MAIL_DIR: mailDir } });
  });
  afterAll(async () => {
    await stack.close();
  });

  const paidBundle = (clientName: string) =>
    stack.paid({ ...glaseSampleBody, purchaseToken: 'FIKA-KIT', clientName });

  it('a paid bundle mails its confirmation: the shop, order id, one row per component, total, address, payment reference', async () => {
    const before = mails().length;
    const order = await paidBundle('Åsa Öberg-Ångström');
    const written = mails().filter((name) => name.includes(order.orderId));
    expect(mails()).toHaveLength(before + 1);
    expect(written).toEqual([expect.stringMatching(/_paid\.eml$/)]);
    const mail = readEml(join(mailDir, written[0] as string));
    expect(mail.from).toBe('Glase Demo Shop <orders@glase-demo.example>');
    expect(mail.to).toBe('Åsa Öberg-Ångström <very.happy@shopping.com>');
    expect(mail.subject).toBe(`Your order ${order.orderId} at Glase Demo Shop`);
    expect(mail.text).toContain('Hello Åsa Öberg-Ångström,');
    expect(mail.text).toContain('Thank you for your order at Glase Demo Shop.');
    expect(mail.text).toMatch(
      /1 × Fika: the art of the Swedish coffee break \(2nd ed\.\) \(BOOK-FIKA-2\), 6 % VAT +227\.40 SEK \(22\.10 SEK off\)/,
    );
    expect(mail.text).toMatch(
      /2 × Stoneware mug, 350 ml \(GLS-MUG-350\), 25 % VAT +271\.60 SEK \(26\.40 SEK off\)/,
    );
    expect(mail.text).toMatch(/Total +499\.00 SEK/);
    // A kvitto: VAT per rate (amount and base, adding up to the total), the seller, the time of sale.
    expect(mail.text).toMatch(/VAT 25 % +54\.32 SEK of 217\.28 SEK/);
    expect(mail.text).toMatch(/VAT 6 % +12\.87 SEK of 214\.53 SEK/);
    const minor = (text: string) => Number(text.replace('.', ''));
    const perRate = [...mail.text.matchAll(/VAT \d+ % +(\d+\.\d\d) SEK of (\d+\.\d\d) SEK/g)];
    expect(
      perRate.reduce((sum, [, vat, base]) => sum + minor(vat as string) + minor(base as string), 0),
    ).toBe(49900);
    expect(mail.text).toContain('this is your receipt (kvitto)');
    expect(mail.text).toContain(
      'Seller: Glase Demo Shop AB, org. nr 556677-8899, Demogatan 1, 111 22 Stockholm',
    );
    expect(mail.text).toMatch(/Paid on: \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Stockholm\)/);
    expect(mail.text).toContain(`Order: ${order.orderId}`);
    expect(mail.text).toContain('Delivery address: Åsa Öberg-Ångström, Storgatan 1, 11122 Stockholm, Sweden');
    expect(order.paymentReference).toMatch(/^\d+$/);
    expect(mail.text).toContain(`Glase payment reference: ${order.paymentReference}`);
    expect(mail.html).toContain('Åsa Öberg-Ångström');
    expect(mail.html).toContain('499.00 SEK');
  });

  it('an event delivered twice, or twice at once, sends one mail', async () => {
    const order = await paidBundle('Twice Delivered');
    const logger = new CapturingLogger();
    const handler = orderMailHandler(wireOrderMail(stack.config, { dynamo: stack.dynamo, logger }));
    const view = orderView((await stack.operator.store.getOrder(order.orderId)) as Order);
    const event = (orderId: string) =>
      ({
        'detail-type': 'OrderPaid',
        source: 'glase-checkout',
        detail: { ...view, orderId },
      }) as EventBridgeEvent<string, unknown>;
    const context = { functionName: 'mail', awsRequestId: 'r' } as Context;
    // The stack mailed this order when it was paid: the event again sends nothing.
    expect(await handler(event(order.orderId), context)).toMatchObject({ outcome: 'already-sent' });
    expect(mails().filter((name) => name.includes(order.orderId))).toHaveLength(1);
    // An order whose mail the log has forgotten, its event delivered three times at once: one mail.
    const fresh = (await paidBundle('Thrice Delivered')).orderId;
    await new DynamoMailLog(stack.dynamo.document, stack.tables.idempotency).release(`${fresh}#paid`);
    const delivered = event(fresh);
    const answers = await Promise.all([
      handler(delivered, context),
      handler(delivered, context),
      handler(delivered, context),
    ]);
    expect(answers.map((answer) => answer.outcome).sort()).toEqual(['already-sent', 'already-sent', 'sent']);
    expect(mails().filter((name) => name.includes(fresh))).toHaveLength(2);
    expect(logger.lines.join('\n')).not.toContain('very.happy@shopping.com');
  });

  it('a claim left by a sender that died is taken over once its lease lapsed; a sent mail never again', async () => {
    const log = new DynamoMailLog(stack.dynamo.document, stack.tables.idempotency);
    const now = Date.now();
    const lease = (at: number) => ({ now: at, leaseUntil: at + MAIL_LEASE_MS, expiresAt: 2_000_000_000 });
    expect(await log.claim('DIED#paid', lease(now))).toBe(true);
    expect(await log.claim('DIED#paid', lease(now + MAIL_LEASE_MS))).toBe(false);
    expect(await log.claim('DIED#paid', lease(now + MAIL_LEASE_MS + 1))).toBe(true);
    await log.markSent('DIED#paid');
    expect(await log.claim('DIED#paid', lease(now + 100 * MAIL_LEASE_MS))).toBe(false);
    await log.release('DIED#paid');
    expect(await log.claim('DIED#paid', lease(now))).toBe(true);
  });

  it('a refund mails the shopper once per refund, with the refund’s own reference', async () => {
    const order = await paidBundle('Refund Person');
    const part = await refund(stack.operator.refund, { orderId: order.orderId, amountMinor: 10000 });
    const rest = await refund(stack.operator.refund, { orderId: order.orderId, restock: true });
    const written = mails().filter((name) => name.includes(`${order.orderId}_refunded`));
    expect(written).toHaveLength(2);
    const texts = written.map((name) => readEml(join(mailDir, name)).text).sort();
    const [first, second] = [part.refunds?.[0], rest.refunds?.[1]];
    expect(
      texts.some(
        (text) => text.includes('has refunded 100.00 SEK') && text.includes(`${first?.ersReference}`),
      ),
    ).toBe(true);
    expect(
      texts.some(
        (text) => text.includes('has refunded 399.00 SEK') && text.includes(`${second?.ersReference}`),
      ),
    ).toBe(true);
  });
});
