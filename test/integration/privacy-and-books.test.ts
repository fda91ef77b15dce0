import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import iconv from 'iconv-lite';
import { KEY_PREFIX } from '../../contract/tables.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { cliOf } from '../support/cli.js';
import { readSie } from '../support/sie.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

const files = mkdtempSync(join(tmpdir(), 'glase-privacy-'));

describe('books and privacy duties through the CLI (DynamoDB Local + sandbox)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ environment: { MAIL_DIR: join(files, 'mail') } });
  });
  afterAll(async () => {
    await stack.close();
  });

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => cliOf(stack, files)(args, extra);

  const paid = (body: Record<string, unknown>) => stack.paid({ ...glaseSampleBody, ...body });
  const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
  /** Every item of the orders and idempotency tables, as stored. */
  const everything = async () => {
    const scan = async (table: string) =>
      (await stack.dynamo.document.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ??
      [];
    return JSON.stringify([...(await scan(stack.tables.orders)), ...(await scan(stack.tables.idempotency))]);
  };

  it('orders export --format sie writes a PC8 SIE 4 file whose every voucher balances, a sale and a refund in it', async () => {
    const bundle = await paid({ purchaseToken: 'FIKA-KIT', clientName: 'Books Buyer' });
    expect((await cli(['orders', 'refund', bundle.orderId, '--amount', '100.00'])).code).toBe(0);
    const out = join(files, 'books.se');
    const run = await cli([
      'orders',
      'export',
      '--from',
      today(),
      '--to',
      today(),
      '--format',
      'sie',
      '--out',
      out,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/vouchers \(\d+ sales, 1 refunds\) written to/);
    const bytes = readFileSync(out);
    const { heads, vouchers } = readSie(iconv.decode(bytes, 'cp437'));
    expect(heads['#FORMAT']).toEqual(['PC8']);
    expect(heads['#SIETYP']).toEqual(['4']);
    expect(heads['#ORGNR']).toEqual(['556677-8899']);
    for (const voucher of vouchers) {
      expect(voucher.rows.reduce((sum, row) => sum + row.amountMinor, 0)).toBe(0);
    }
    const sale = vouchers.find(
      (voucher) => voucher.text.includes(bundle.orderId) && !/refund/i.test(voucher.text),
    );
    // 499.00 to the receivable; sales at 25 % and 6 % and their VAT, to the öre.
    expect(sale?.rows).toEqual(
      expect.arrayContaining([
        { account: '1580', amountMinor: 49900 },
        { account: '2611', amountMinor: -5432 },
        { account: '2631', amountMinor: -1287 },
        { account: '3001', amountMinor: -21728 },
        { account: '3003', amountMinor: -21453 },
      ]),
    );
    const refund = vouchers.find((voucher) => voucher.text.includes(bundle.orderId) && voucher !== sale);
    expect(refund?.rows.find((row) => row.account === '1580')?.amountMinor).toBe(-10000);

    const csv = await cli(['orders', 'export', '--from', today(), '--to', today(), '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n').filter((line) => line.includes(bundle.orderId))).toHaveLength(2);
  });

  it('shoppers export prints what is held; forget without --yes erases nothing; with --yes it erases and says what it did', async () => {
    const order = await paid({
      clientName: 'Privat Person',
      email: 'privat.person@example.com',
      msisdn: '0701234567',
    });
    const exported = await cli(['shoppers', 'export', 'Privat.Person@Example.com']);
    expect(exported.code).toBe(0);
    const data = JSON.parse(exported.stdout);
    expect(data.orders.map((one: { orderId: string }) => one.orderId)).toEqual([order.orderId]);
    expect(data.orders[0].customer).toMatchObject({
      clientName: 'Privat Person',
      email: 'privat.person@example.com',
    });
    expect(data.mails).toEqual([{ key: `${order.orderId}#paid`, state: 'SENT' }]);

    const before = await everything();
    const dry = await cli(['shoppers', 'forget', '0701234567']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would erase the personal data of 1 order(s): ${order.orderId} (PAID)`);
    expect(await everything()).toBe(before);

    const forget = await cli(['shoppers', 'forget', '0701234567', '--yes']);
    expect(forget.code).toBe(0);
    expect(forget.stdout).toContain(
      `erased name, street, zip, e-mail and phone from 1 order(s): ${order.orderId}`,
    );
    const stored = await everything();
    for (const personal of ['Privat Person', 'privat.person', '701234567'])
      expect(stored).not.toContain(personal);
    expect(stored).not.toContain(`${KEY_PREFIX.mail}${order.orderId}`);
    const after = (await stack.operator.store.getOrder(order.orderId)) as Order;
    expect(after).toMatchObject({
      totalMinor: order.totalMinor,
      paymentReference: order.paymentReference,
      paidAt: order.paidAt,
      status: 'PAID',
    });
    expect(after.customer).toMatchObject({
      clientName: '',
      email: '',
      msisdn: '',
      city: 'Stockholm',
      country: 'Sweden',
    });
    expect(
      JSON.parse((await cli(['shoppers', 'export', 'privat.person@example.com'])).stdout).orders,
    ).toEqual([]);
  });
});

describe('the retention period, run by the scheduled reconciler (DynamoDB Local + sandbox)', () => {
  /** Real time, until the test moves it on: the reconciler applies retention at minute 0 of an hour. */
  let offsetMs = 0;
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      environment: { PERSONAL_DATA_RETENTION_DAYS: '1' },
      wiring: { clock: { now: () => new Date(Date.now() + offsetMs) } },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('erases closed orders past the period on its hourly run, and the next run does nothing', async () => {
    const response = await stack.purchase({
      ...glaseSampleBody,
      clientName: 'Retained Person',
      email: 'retained@example.com',
    });
    await stack.sandbox?.pay(response.json.invoiceReferenceId);
    const [order] = await stack.orders();
    expect(order?.status).toBe('PAID');
    const scan = async () =>
      JSON.stringify(
        (
          await stack.dynamo.document.send(
            new ScanCommand({ TableName: stack.tables.orders, ConsistentRead: true }),
          )
        ).Items,
      );
    expect(await scan()).toContain('Retained Person');
    // Two days on, a few seconds into an hour (set again before each run, however slow the last).
    const hour = 3_600_000;
    const twoDaysOnAtTheHour = () => {
      offsetMs = Math.ceil((Date.now() + 2 * 86_400_000) / hour) * hour + 1_000 - Date.now();
    };
    twoDaysOnAtTheHour();
    expect((await stack.reconcile()).personalDataErased).toBe(1);
    expect(await scan()).not.toContain('Retained Person');
    expect(await scan()).not.toContain('retained@example.com');
    twoDaysOnAtTheHour();
    expect((await stack.reconcile()).personalDataErased).toBe(0);
    expect((await stack.operator.store.getOrder(order?.orderId as string))?.totalMinor).toBe(
      order?.totalMinor,
    );
  });
});
