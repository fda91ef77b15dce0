import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { bundleLines } from '../../lambda/checkout/model/bundle.js';
import type { Order, Refund } from '../../lambda/checkout/model/order.js';
import {
  composeMail,
  MAIL_LEASE_MS,
  MAIL_MEMORY_SECONDS,
  mailShopper,
  type OrderMailDeps,
} from '../../lambda/checkout/use-cases/order-mail.js';
import { orderView } from '../../lambda/checkout/views/order-view.js';
import { OrderMailError, orderMailHandler } from '../../lambda/handlers/order-mail-handler.js';
import { headerText, mailbox, toMime } from '../../lambda/mail/mime.js';
import { SesMailer } from '../../lambda/mail/ses-mailer.js';
import { loadConfig } from '../../lambda/wiring/config.js';
import { observability } from '../../lambda/wiring/parts.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { InMemoryMailLog, RecordingMailer } from '../support/in-memory.js';
import { anOrder, CUSTOMER } from '../support/orders.js';

const SETTINGS = {
  from: 'Test Shop <orders@shop.example>',
  subjects: { paid: 'Order {orderId} at {shop}', refunded: 'Refund {orderId} ({shop})' },
};
const lines = bundleLines(
  {
    unitPriceMinor: 33000,
    components: [
      {
        purchaseToken: 'MUG',
        sku: 'M-1',
        description: 'Mug',
        unitPriceMinor: 14900,
        taxRatePercent: 25,
        quantity: 2,
      },
      {
        purchaseToken: 'BEANS',
        sku: 'B-1',
        description: 'Beans',
        unitPriceMinor: 8900,
        taxRatePercent: 12,
        quantity: 1,
      },
    ],
  },
  1,
);
const PAID = anOrder({
  status: 'PAID',
  purchaseToken: 'KIT',
  quantity: 1,
  lines,
  totalMinor: 33000,
  ersReference: '5550001',
  customer: { ...CUSTOMER, clientName: 'Åsa <b>Öberg</b> & "Co"', email: 'asa@example.com' },
});
const R1: Refund = {
  refundId: 'R1',
  amountMinor: 5000,
  status: 'SUCCEEDED',
  requestedAt: 'T1',
  completedAt: '2026-11-27T11:00:00Z',
  restock: false,
  ersReference: '5550002',
};
const REFUNDED: Order = { ...PAID, status: 'PARTIALLY_REFUNDED', refunds: [R1] };

function deps(
  mailer = new RecordingMailer(),
  sent = new InMemoryMailLog(),
): OrderMailDeps & {
  mailer: RecordingMailer;
  sent: InMemoryMailLog;
} {
  return {
    mailer,
    sent,
    settings: SETTINGS,
    shopTitle: 'Test Shop',
    now: () => new Date('2026-11-27T10:00:00Z'),
  };
}

describe('the shopper’s order mail', () => {
  it('confirms a payment: rows as invoiced, total, delivery address, Glase’s reference; text and HTML say the same', () => {
    const mail = composeMail(PAID, 'paid', SETTINGS, 'Test Shop', 'O1#paid');
    expect(mail).toMatchObject({
      key: 'O1#paid',
      from: SETTINGS.from,
      to: { name: 'Åsa <b>Öberg</b> & "Co"', address: 'asa@example.com' },
      subject: 'Order O1 at Test Shop',
    });
    expect(mail.text).toBe(
      [
        'Hello Åsa <b>Öberg</b> & "Co",',
        '',
        'Thank you for your order at Test Shop. We have your payment, and this is your confirmation.',
        '',
        '2 × Mug (M-1), 25 % VAT    254.11 SEK (43.89 SEK off)',
        '1 × Beans (B-1), 12 % VAT  75.89 SEK (13.11 SEK off)',
        'Total                      330.00 SEK',
        'VAT 25 %                   50.82 SEK of 203.29 SEK',
        'VAT 12 %                   8.13 SEK of 67.76 SEK',
        '',
        'Order: O1',
        `Delivery address: Åsa <b>Öberg</b> & "Co", ${CUSTOMER.street}, ${CUSTOMER.zip} ${CUSTOMER.city}, ${CUSTOMER.country}`,
        'Glase payment reference: 5550001',
        '',
        'Test Shop',
        '',
      ].join('\n'),
    );
    // Whatever the shopper typed is text in the HTML, never markup.
    expect(mail.html).not.toContain('<b>Öberg</b>');
    expect(mail.html).toContain('Hello Åsa &lt;b&gt;Öberg&lt;/b&gt; &amp; &quot;Co&quot;,');
    // Without a seller's name and org number it is a confirmation, and says nothing of a receipt.
    expect(mail.text).not.toMatch(/kvitto|receipt/i);
    for (const fact of [
      '2 × Mug (M-1)',
      '254.11 SEK (43.89 SEK off)',
      '330.00 SEK',
      '5550001',
      'O1',
      '50.82 SEK of 203.29 SEK',
    ]) {
      expect(mail.html).toContain(fact);
    }
  });

  it('tells of a refund: how much, of which order, with the refund’s own Glase reference', () => {
    const mail = composeMail(REFUNDED, 'refunded', SETTINGS, 'Test Shop', 'O1#refunded#R1');
    expect(mail.subject).toBe('Refund O1 (Test Shop)');
    expect(mail.text).toContain('Test Shop has refunded 50.00 SEK of your order O1.');
    expect(mail.text).toMatch(/Refunded +50\.00 SEK/);
    expect(mail.text).toContain('Order total: 330.00 SEK');
    expect(mail.text).toContain('Glase refund reference: 5550002');
    expect(mail.html).toContain('Glase refund reference');
  });

  it('with the seller named: a receipt (kvitto) with the seller, the time, each line’s VAT rate and VAT per rate; a refund a credit note', () => {
    const seller = {
      name: 'Min Butik AB',
      orgNumber: '556677-8899',
      address: 'Storgatan 1, 111 22 Stockholm',
    };
    const paid = { ...PAID, paidAt: '2026-11-27T10:30:00Z' };
    const mail = composeMail(paid, 'paid', SETTINGS, 'Test Shop', 'O1#paid', seller);
    expect(mail.text).toContain('We have your payment, and this is your receipt (kvitto).');
    expect(mail.text).toContain('Seller: Min Butik AB, org. nr 556677-8899, Storgatan 1, 111 22 Stockholm');
    expect(mail.text).toContain('Paid on: 2026-11-27 11:30 (Stockholm)');
    // 254.11 at 25 %: 50.82 VAT on 203.29; 75.89 at 12 %: 8.13 VAT on 67.76; all adds up to 330.00.
    expect(mail.text).toMatch(/VAT 25 % +50\.82 SEK of 203\.29 SEK\nVAT 12 % +8\.13 SEK of 67\.76 SEK/);
    expect(5082 + 20329 + 813 + 6776).toBe(PAID.totalMinor);
    const credit = composeMail(
      { ...REFUNDED, paidAt: paid.paidAt },
      'refunded',
      SETTINGS,
      'Test Shop',
      'O1#refunded#R1',
      seller,
    );
    expect(credit.text).toContain('This is your credit note (kreditnota).');
    expect(credit.text).toContain('Refunded on: 2026-11-27 12:00 (Stockholm)');
    // 50.00 back, over the rates as the sale was paid: 38.50 at 25 % and 11.50 at 12 %.
    expect(credit.text).toMatch(
      /VAT refunded 25 % +7\.70 SEK of 30\.80 SEK\nVAT refunded 12 % +1\.23 SEK of 10\.27 SEK/,
    );
    // A name without an org number is no receipt.
    expect(composeMail(paid, 'paid', SETTINGS, 'Test Shop', 'k', { name: 'Min Butik AB' }).text).not.toMatch(
      /kvitto/,
    );
  });

  it('mails once per payment and once per refund, however often the event comes', async () => {
    const mailing = deps();
    expect(await mailShopper(mailing, 'OrderPaid', PAID)).toEqual({
      outcome: 'sent',
      key: 'O1#paid',
      location: 'memory:1',
    });
    expect(await mailShopper(mailing, 'OrderPaid', PAID)).toEqual({
      outcome: 'already-sent',
      key: 'O1#paid',
    });
    expect(mailing.sent.claims.get('O1#paid')).toMatchObject({
      state: 'SENT',
      expiresAt: Date.parse('2026-11-27T10:00:00Z') / 1000 + MAIL_MEMORY_SECONDS,
    });
    await mailShopper(mailing, 'OrderRefunded', REFUNDED);
    const second = {
      ...REFUNDED,
      refunds: [
        R1,
        {
          ...R1,
          refundId: 'R2',
          completedAt: '2026-11-27T12:00:00Z',
          ersReference: '5550003',
        },
      ],
    };
    await mailShopper(mailing, 'OrderRefunded', second);
    await mailShopper(mailing, 'OrderRefunded', second);
    expect(mailing.mailer.sent.map((mail) => mail.key)).toEqual([
      'O1#paid',
      'O1#refunded#R1',
      'O1#refunded#R2',
    ]);
    expect(mailing.mailer.sent[2]?.text).toContain('5550003');
  });

  it('does not mail for an unpaid cancel, nor for a refund event with no confirmed refund', async () => {
    const mailing = deps();
    expect(await mailShopper(mailing, 'OrderCanceled', PAID)).toMatchObject({
      outcome: 'not-mailed',
    });
    const pending: Order = { ...REFUNDED, refunds: [{ ...R1, status: 'PENDING' }] };
    expect(await mailShopper(mailing, 'OrderRefunded', pending)).toMatchObject({
      outcome: 'not-mailed',
    });
    expect(mailing.mailer.sent).toEqual([]);
    expect(mailing.sent.claims.size).toBe(0);
  });

  it('does not mail a shopper whose personal data was erased (a refund after erasure)', async () => {
    const mailing = deps();
    const erased: Order = {
      ...REFUNDED,
      forgottenAt: '2026-11-28T10:00:00.000Z',
      customer: { ...REFUNDED.customer, clientName: '', email: '', msisdn: '', street: '', zip: '' },
    };
    expect(await mailShopper(mailing, 'OrderRefunded', erased)).toEqual({
      outcome: 'not-mailed',
      why: 'the shopper has no address (personal data erased)',
    });
    expect(mailing.mailer.sent).toEqual([]);
    expect(mailing.sent.claims.size).toBe(0);
  });

  it('gives the claim back when sending fails, so the retry sends it', async () => {
    const mailing = deps();
    mailing.mailer.failWith = new Error('down');
    await expect(mailShopper(mailing, 'OrderPaid', PAID)).rejects.toThrow('down');
    expect(mailing.sent.claims.size).toBe(0);
    mailing.mailer.failWith = undefined;
    expect(await mailShopper(mailing, 'OrderPaid', PAID)).toMatchObject({ outcome: 'sent' });
  });

  it('a sender that died holding the claim: refused while its lease lasts, taken over after, so the mail is not lost', async () => {
    let now = Date.parse('2026-11-27T10:00:00Z');
    const mailing = { ...deps(), now: () => new Date(now) };
    // The dead sender: claimed at 10:00, never marked the mail sent.
    const lease = { now, leaseUntil: now + MAIL_LEASE_MS, expiresAt: 2_000_000_000 };
    expect(await mailing.sent.claim('O1#paid', lease)).toBe(true);
    now += MAIL_LEASE_MS;
    expect(await mailShopper(mailing, 'OrderPaid', PAID)).toMatchObject({
      outcome: 'already-sent',
    });
    now += 1;
    expect(await mailShopper(mailing, 'OrderPaid', PAID)).toMatchObject({ outcome: 'sent' });
    // Marked sent now: no lease to lapse, never again.
    now += 10 * MAIL_LEASE_MS;
    expect(await mailShopper(mailing, 'OrderPaid', PAID)).toMatchObject({
      outcome: 'already-sent',
    });
    expect(mailing.mailer.sent).toHaveLength(1);
  });

  it('a mail sent but not recorded is reported so, never as a failure a retry would send again', async () => {
    const mailing = deps();
    mailing.sent.markSent = async () => {
      throw new Error('throttled');
    };
    expect(await mailShopper(mailing, 'OrderPaid', PAID)).toEqual({
      outcome: 'sent',
      key: 'O1#paid',
      location: 'memory:1',
      unmarked: true,
    });
  });
});

describe('the mail as a MIME message (.eml)', () => {
  const decode = (word: string) => {
    const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word);
    if (!match) throw new Error(`not an encoded-word: ${word}`);
    return Buffer.from(match[1] as string, 'base64').toString('utf8');
  };

  it('encodes names and subjects that are not ASCII as UTF-8 encoded-words, split between characters', () => {
    expect(mailbox('John Smith', 'j@x.se')).toBe('"John Smith" <j@x.se>');
    expect(mailbox('Say "hi" \\ there', 'j@x.se')).toBe('"Say \\"hi\\" \\\\ there" <j@x.se>');
    expect(mailbox('', 'j@x.se')).toBe('<j@x.se>');
    expect(mailbox('Eve\r\nBcc: x@y.z', 'e@x.se')).toBe('"Eve Bcc: x@y.z" <e@x.se>');
    const name = 'Åsa Öberg-Ångström 🧁';
    const [shown] = mailbox(name, 'a@x.se').split(' <');
    expect((shown as string).split(' ').map(decode).join('')).toBe(name);
    const subject = `Din beställning ${'åäö'.repeat(30)} 🧁`;
    const words = headerText(subject).split(' ');
    expect(words.length).toBeGreaterThan(2);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(words.map(decode).join('')).toBe(subject);
    expect(headerText('Plain\nsubject')).toBe('Plain subject');
  });

  it('holds the text and the HTML as base64 UTF-8 parts of multipart/alternative, with CRLF lines of at most 76', () => {
    const mail = composeMail(PAID, 'paid', SETTINGS, 'Test Shop', 'O1#paid');
    const eml = toMime(mail, {
      date: new Date('2026-11-27T10:00:00Z'),
      messageId: 'abc-1@glase-checkout.local',
    });
    const [head = '', ...rest] = eml.split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'From: Test Shop <orders@shop.example>',
      `To: ${mailbox(mail.to.name, mail.to.address)}`,
      'Subject: Order O1 at Test Shop',
      'Date: Fri, 27 Nov 2026 10:00:00 +0000',
      'Message-ID: <abc-1@glase-checkout.local>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="=_glase_abc1glasecheckoutlocal"',
    ]);
    expect(eml.replace(/\r\n/g, '')).not.toContain('\n');
    const body = rest.join('\r\n\r\n');
    const parts = body.split('--=_glase_abc1glasecheckoutlocal').slice(1, -1);
    expect(parts.map((part) => /Content-Type: ([^;]+); charset=UTF-8/.exec(part)?.[1])).toEqual([
      'text/plain',
      'text/html',
    ]);
    const decoded = parts.map((part) => {
      const [, content = ''] = part.split('\r\n\r\n');
      for (const line of content.trim().split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
      return Buffer.from(content.replace(/\r\n/g, ''), 'base64').toString('utf8');
    });
    expect(decoded).toEqual([mail.text, mail.html]);
    expect(eml.endsWith('--=_glase_abc1glasecheckoutlocal--\r\n')).toBe(true);
  });
});

describe('the mail function with SES', () => {
  const ses = mockClient(SESv2Client);
  afterEach(() => ses.reset());

  function handlerWith(sent = new InMemoryMailLog()) {
    const logger = new CapturingLogger();
    const seen = observability({ logger });
    const mail: OrderMailDeps = {
      mailer: new SesMailer(new SESv2Client({ region: 'eu-west-1' }), { configurationSet: 'shop-mail' }),
      sent,
      settings: SETTINGS,
      shopTitle: 'Test Shop',
      now: () => new Date('2026-11-27T10:00:00Z'),
    };
    const orders = new Map([[PAID.orderId, PAID]]);
    const handler = orderMailHandler({ ...seen, mail, orders: { getOrder: async (id) => orders.get(id) } });
    const event = (detailType: string, detail: unknown) =>
      ({ 'detail-type': detailType, source: 'glase-checkout', detail }) as EventBridgeEvent<string, unknown>;
    const invoke = (detailType: string, detail: unknown) =>
      handler(event(detailType, detail), { functionName: 'mail', awsRequestId: 'r1' } as Context);
    return { logger, sent, invoke };
  }

  it('sends one SendEmail: the verified sender, the shopper encoded, UTF-8 subject, text and HTML', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const { invoke, logger } = handlerWith();
    expect(await invoke('OrderPaid', orderView(PAID))).toMatchObject({ outcome: 'sent', key: 'O1#paid' });
    expect(await invoke('OrderPaid', orderView(PAID))).toMatchObject({ outcome: 'already-sent' });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    const mail = composeMail(PAID, 'paid', SETTINGS, 'Test Shop', 'O1#paid');
    expect(calls[0]?.args[0].input).toEqual({
      FromEmailAddress: SETTINGS.from,
      Destination: { ToAddresses: [mailbox(PAID.customer.clientName, 'asa@example.com')] },
      Content: {
        Simple: {
          Subject: { Data: 'Order O1 at Test Shop', Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
        },
      },
      ConfigurationSetName: 'shop-mail',
    });
    const logs = logger.lines.join('\n');
    expect(logs).toContain('"outcome":"sent"');
    expect(logs).not.toMatch(/asa@example|Åsa|Öberg|Storgatan/);
  });

  it('a refusal reaches Lambda (retry, then the dead-letter queue) without the address SES quoted; the claim is freed', async () => {
    ses.on(SendEmailCommand).rejects(
      new MessageRejected({
        message:
          'Email address is not verified. The following identities failed the check in region EU-WEST-1: asa@example.com',
        $metadata: {},
      }),
    );
    const { invoke, logger, sent } = handlerWith();
    const failure = await invoke('OrderPaid', orderView(PAID)).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(OrderMailError);
    expect(failure?.message).toBe('mail for order O1 failed: MessageRejected');
    expect(logger.lines.join('\n')).not.toMatch(/asa@example|Åsa|Öberg/);
    expect(logger.lines.join('\n')).toContain('"error":"MessageRejected"');
    expect(sent.claims.size).toBe(0);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    expect(await invoke('OrderPaid', orderView(PAID))).toMatchObject({ outcome: 'sent' });
  });

  it('refuses an event that carries no order, naming only its type; reads the shopper from the order, not the event', async () => {
    const { invoke } = handlerWith();
    await expect(invoke('OrderPaid', { nothing: true })).rejects.toThrow('OrderPaid event carries no order');
    await expect(invoke('OrderPaid', { orderId: 'GONE' })).rejects.toThrow('order GONE is not there');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    // An event without the shopper (the default) still mails them: the order has them.
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });
    expect(await invoke('OrderPaid', { ...orderView(PAID), customer: null })).toMatchObject({
      outcome: 'sent',
    });
  });
});

describe('mail settings', () => {
  const base = {
    PRODUCTS_TABLE: 'p',
    ORDERS_TABLE: 'o',
    IDEMPOTENCY_TABLE: 'i',
    GLASE_API_URL: 'https://glase.example/soap',
  };
  it('are off until MAIL_FROM is set; subjects have defaults; a sender that is not an address is named', () => {
    expect(loadConfig(base).mail).toBeUndefined();
    expect(loadConfig({ ...base, MAIL_FROM: 'Shop <orders@shop.example>' }).mail).toEqual({
      from: 'Shop <orders@shop.example>',
      subjects: {
        paid: 'Your order {orderId} at {shop}',
        refunded: 'Refund for your order {orderId} at {shop}',
      },
      directory: undefined,
    });
    expect(
      loadConfig({ ...base, MAIL_FROM: 'orders@shop.example', MAIL_SUBJECT_PAID: 'Tack! {orderId}' }).mail
        ?.subjects.paid,
    ).toBe('Tack! {orderId}');
    expect(() => loadConfig({ ...base, MAIL_FROM: 'not an address' })).toThrow(
      'MAIL_FROM must be an e-mail address or "Name <address>"',
    );
  });
});
