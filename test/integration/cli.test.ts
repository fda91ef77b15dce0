import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIX } from '../../contract/tables.js';
import { LOCAL_SECRETS } from '../../lambda/wiring/local-profile.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

const BIN = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));
const files = mkdtempSync(join(tmpdir(), 'glase-cli-'));
/** Long enough that only a hung CLI reaches it, however busy the machine. */
const HANG = 300_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('glase-checkout CLI, spawned against DynamoDB Local and the sandbox', () => {
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    stack = await startTestStack();
    env = {
      ...process.env,
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT,
      TABLE_PREFIX: stack.tables.products.replace(/products$/, ''),
      GLASE_API_URL: stack.sandbox?.url,
      GLASE_TIMEOUT_MS: '1000',
      PUBLIC_BASE_URL: stack.apiUrl,
      // Events the CLI publishes (cancel) go to a file of this run's, never the developer's .local/.
      OUTBOX_FILE: join(files, 'outbox.jsonl'),
      MAIL_DIR: join(files, 'mail'),
    };
  });
  afterAll(async () => {
    await stack.close();
  });
  afterEach(() => stack.sandbox?.clearFaults());

  const run =
    (extra: NodeJS.ProcessEnv) =>
    (...args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [BIN, ...args],
          // Only a hang is killed; the test's own timeout (HANG) is what fails it.
          { env: { ...env, ...extra }, timeout: HANG },
          (error, stdout, stderr) => {
            resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
          },
        );
      });
  const cli = Object.assign(run({}), { with: run });
  const file = (name: string, content: string) => {
    const path = join(files, name);
    writeFileSync(path, content);
    return path;
  };
  async function paidOrder(clientName: string, purchaseToken = 'JKT-RAIN-M-NAVY') {
    const response = await stack.purchase({ ...glaseSampleBody, purchaseToken, clientName });
    expect(response.status).toBe(200);
    await stack.sandbox!.pay(response.json.invoiceReferenceId);
    const order = (await stack.orders()).find(
      (o) => o.invoiceReference === response.json.invoiceReferenceId,
    )!;
    expect(order.status).toBe('PAID');
    return order;
  }
  const refundCalls = () => stack.sandbox!.callsTo('refundPayment').length;

  describe('products import', () => {
    it('reports every bad row with its number and writes nothing', async () => {
      const before = await stack.product('JKT-RAIN-M-NAVY');
      const path = file(
        'bad.json',
        JSON.stringify([
          {
            purchaseToken: 'NEW-1',
            sku: 'N1',
            description: 'New one',
            price: '10.00',
            taxRatePercent: 25,
            onHand: 5,
          },
          { purchaseToken: 'NEW-2', sku: 'N2', description: 'Bad price', price: '10,00', taxRatePercent: 25 },
          {
            purchaseToken: 'bad token!',
            sku: 'N3',
            description: 'Bad token',
            price: '1.00',
            taxRatePercent: 25,
          },
          {
            purchaseToken: 'JKT-RAIN-M-NAVY',
            sku: 'JKT-M-NAVY',
            description: 'Changed',
            price: '1.00',
            taxRatePercent: 101,
          },
        ]),
      );

      const run = await cli('products', 'import', path);

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('item 2: price must be an amount such as 899.00');
      expect(run.stderr).toContain('item 3: purchaseToken must be 1-64 letters');
      expect(run.stderr).toContain('item 4: taxRatePercent must be at most 100');
      expect(run.stderr).toContain('3 problem(s) in 3 of 4 rows; nothing was written');
      expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace without --debug
      expect(await stack.product('NEW-1')).toBeUndefined();
      expect(await stack.product('JKT-RAIN-M-NAVY')).toEqual(before);
    });

    it('imports CSV, updating prices without clobbering live stock unless --set-stock', async () => {
      const csv = file(
        'catalog.csv',
        [
          'purchaseToken,sku,description,price,currency,taxRatePercent,onHand,ean',
          'CSV-SCARF-RED,SCARF-RED,"Wool scarf, red ""classic""",349.00,SEK,25,7,',
          'BOOK.fika-2nd-ed,BOOK-FIKA-2,Fika (2nd ed.),199.00,SEK,6,999,9781607745983',
        ].join('\r\n'),
      );
      const before = await stack.product('BOOK.fika-2nd-ed');

      const dry = await cli('products', 'import', csv, '--dry-run');
      expect(dry.code).toBe(0);
      // It lists what would be created and what would change, and writes nothing.
      expect(dry.stdout).toContain('create  CSV-SCARF-RED  349.00, 7 on hand');
      expect(dry.stdout).toContain(
        `update  BOOK.fika-2nd-ed  price ${(before.unitPriceMinor / 100).toFixed(2)} → 199.00; description`,
      );
      expect(dry.stdout).toContain(
        '2 rows valid: 1 to create, 1 to update, 0 unchanged (live stock kept); dry run, nothing written',
      );
      const dryJson = JSON.parse(
        (await cli('products', 'import', csv, '--dry-run', '--set-stock', '--json')).stdout,
      );
      expect(dryJson.plan).toContainEqual({
        purchaseToken: 'BOOK.fika-2nd-ed',
        action: 'update',
        price: { from: before.unitPriceMinor, to: 19900 },
        onHand: { from: before.onHand, to: 999 },
        details: expect.arrayContaining(['description']),
      });
      expect(await stack.product('CSV-SCARF-RED')).toBeUndefined();
      expect(await stack.product('BOOK.fika-2nd-ed')).toEqual(before);

      const run = await cli('products', 'import', csv);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('imported 2 rows: 1 created, 1 updated (live stock kept)');
      expect(await stack.product('CSV-SCARF-RED')).toMatchObject({
        description: 'Wool scarf, red "classic"',
        unitPriceMinor: 34900,
        available: 7,
        sold: 0,
      });
      expect(await stack.product('BOOK.fika-2nd-ed')).toMatchObject({
        unitPriceMinor: 19900,
        description: 'Fika (2nd ed.)',
        available: before.available,
      });

      const setStock = await cli('products', 'import', csv, '--set-stock', '--json');
      expect(JSON.parse(setStock.stdout)).toEqual({ imported: true, rows: 2, created: 0, updated: 2 });
      expect((await stack.product('BOOK.fika-2nd-ed')).available).toBe(999);
    });
  });

  describe('products import: files that are not what they seem', () => {
    it('a missing file: one clear line, exit 1, in JSON a stable code', async () => {
      const missing = join(files, 'nope.csv');
      const run = await cli('products', 'import', missing);
      expect([run.code, run.stderr.trim()]).toEqual([1, `error: ${missing}: no such file`]);
      const json = await cli('products', 'import', missing, '--json');
      expect(JSON.parse(json.stderr)).toEqual({
        error: { code: 'BAD_CATALOG_FILE', message: `${missing}: no such file` },
      });
    });

    it('a CSV as Swedish Excel saves it: semicolons, decimal commas; problems named by file line', async () => {
      const path = file(
        'excel.csv',
        [
          'purchaseToken;sku;description;price;currency;taxRatePercent;onHand',
          'SEMI-1;S1;"Semi; with a ""quote""";1 299,50;SEK;25;1',
          'SEMI-2;S2;"Two',
          'lines";10,00;SEK;25;2',
        ].join('\r\n'),
      );
      const run = await cli('products', 'import', path);
      expect([run.code, run.stdout.trim()]).toEqual([
        0,
        'imported 2 rows: 2 created, 0 updated (live stock kept)',
      ]);
      expect(await stack.product('SEMI-1')).toMatchObject({
        unitPriceMinor: 129950,
        description: 'Semi; with a "quote"',
      });
      expect(await stack.product('SEMI-2')).toMatchObject({
        unitPriceMinor: 1000,
        description: 'Two\r\nlines',
      });
      // A bad row is named by the line it starts on in the file, header included.
      const bad = file(
        'excel-bad.csv',
        [
          'purchaseToken;sku;description;price;currency;taxRatePercent;onHand',
          'OK-1;O1;"Fine,',
          'over two lines";10,00;SEK;25;1',
          'BAD-1;B1;Bad;tio kronor;SEK;25;1',
        ].join('\n'),
      );
      const refused = await cli('products', 'import', bad);
      expect([refused.code, refused.stderr]).toEqual([
        1,
        expect.stringContaining('line 4: price must be an amount such as 899.00'),
      ]);
      const json = JSON.parse((await cli('products', 'import', bad, '--json')).stdout);
      expect(json.issues).toEqual([
        { row: 2, at: 'line 4', field: 'price', message: 'must be an amount such as 899.00' },
      ]);
    });

    it('a tab-separated file: "header not recognised", not an error per field', async () => {
      const path = file('tabs.csv', 'purchaseToken\tsku\tdescription\tprice\nTAB-1\tT1\tTab\t10.00\n');
      const run = await cli('products', 'import', path);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('header not recognised: missing purchaseToken, sku, description');
      expect(run.stderr).toContain('It looks separated by tabs: save it as CSV with commas or semicolons.');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(await stack.product('TAB-1')).toBeUndefined();
    });

    it('warns when one SKU is sold under two tokens, and still imports', async () => {
      const path = file(
        'twins.csv',
        [
          'purchaseToken,sku,description,price,currency,taxRatePercent,onHand',
          'TWIN-A,TWIN-SKU,Twin,10.00,SEK,25,1',
          'TWIN-B,TWIN-SKU,Twin again,10.00,SEK,25,1',
        ].join('\n'),
      );
      const run = await cli('products', 'import', path);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        "line 3: warning: sku TWIN-SKU is also TWIN-A's: two tokens sell the same article",
      );
      expect(run.stdout).toContain('imported 2 rows: 2 created, 0 updated');
    });
  });

  // Bounded by work (enough rows for the progress bar), never by a clock: a busy machine is slower, not wrong.
  it(
    'imports hundreds of rows with a progress bar and a summary',
    async () => {
      const rows = Array.from(
        { length: 400 },
        (_, index) => `BULK-${index},B${index},Bulk item ${index},1.${index % 100},SEK,25,1`,
      );
      const path = file(
        'bulk.csv',
        ['purchaseToken,sku,description,price,currency,taxRatePercent,onHand', ...rows].join('\n'),
      );
      const run = await cli('products', 'import', path);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('] 400/400');
      expect(run.stdout).toContain('imported 400 rows: 400 created, 0 updated');
      expect(await stack.product('BULK-399')).toMatchObject({ unitPriceMinor: 199, available: 1 });
    },
    HANG,
  );

  it('sets and moves the units on hand atomically, never below zero and never over a reservation', async () => {
    const token = 'JKT-RAIN-L-NAVY';
    expect((await cli('products', 'stock', token, '6')).stdout).toContain(
      `${token}: 6 on hand, 0 reserved, 6 available`,
    );
    expect((await cli('products', 'stock', token, '+4')).stdout).toContain(
      '10 on hand, 0 reserved, 10 available',
    );
    expect((await cli('products', 'stock', token, '-3')).stdout).toContain(
      '7 on hand, 0 reserved, 7 available',
    );
    const tooMany = await cli('products', 'stock', token, '-8');
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain(`only 7 of ${token} available; cannot take 8`);
    expect((await stack.product(token)).available).toBe(7);

    // A shopper holds 2: a stock count may not take them, and they stay reserved through it.
    for (const clientName of ['Holder One', 'Holder Two']) {
      expect((await stack.purchase({ ...glaseSampleBody, purchaseToken: token, clientName })).status).toBe(
        200,
      );
    }
    const below = await cli('products', 'stock', token, '1');
    expect(below.code).toBe(1);
    expect(below.stderr).toContain('1 on hand is fewer than the 2 held by open orders; set at least 2');
    expect((await cli('products', 'stock', token, '2', '--json')).stdout).toContain('"reserved": 2');
    expect(await stack.product(token)).toMatchObject({ onHand: 2, reserved: 2, available: 0 });
    expect((await cli('products', 'stock', 'NO-SUCH', '+1')).code).toBe(1);
    expect((await cli('products', 'stock', token, 'lots')).code).toBe(2);
  });

  it('spreads a hot product over stock shards: one number to set, buyers served from every shard, never oversold', async () => {
    const token = 'JKT-RAIN-M-YELLOW';
    expect((await cli('products', 'stock', token, '6')).code).toBe(0);
    const spread = await cli('products', 'shards', token, '4');
    expect(spread.stdout).toContain(
      `${token}: 6 on hand, 0 reserved, 6 available, 0 sold (spread over 4 stock shards)`,
    );
    const answers = await Promise.all(
      Array.from({ length: 9 }, (_, index) =>
        stack.purchase({ ...glaseSampleBody, purchaseToken: token, clientName: `Drop Buyer ${index}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 409, 409, 409]);
    const sold = JSON.parse((await cli('products', 'get', token, '--json')).stdout);
    expect(sold).toMatchObject({ onHand: 6, reserved: 6, available: 0, stockShards: 4 });
    const orders = (await stack.orders()).filter((order) => order.purchaseToken === token);
    expect(orders).toHaveLength(6);
    // Every shard gave exactly what it held: 2 + 2 + 1 + 1.
    const perShard = orders.map((order) => order.stock?.[0]?.shard ?? 0).sort();
    expect(perShard).toEqual([0, 0, 1, 1, 2, 3]);
    const shrink = await cli('products', 'shards', token, '1');
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toContain('still holds units reserved by open orders');
    expect((await cli('products', 'stock', token, '+4')).stdout).toContain(
      '10 on hand, 6 reserved, 4 available',
    );
    expect((await cli('products', 'shards', token, '0')).code).toBe(2);
    expect((await cli('products', 'shards', token, '33')).code).toBe(2);
  });

  it('takes a product off sale and back: createPurchase says NOT_FOR_SALE meanwhile, nothing reserved', async () => {
    const token = 'JKT-RAIN-M-NAVY';
    const off = await cli('products', 'deactivate', token);
    expect(off.stdout).toContain(`${token} is off sale`);
    const before = await stack.product(token);
    const refused = await stack.purchase({
      ...glaseSampleBody,
      purchaseToken: token,
      clientName: 'Too Early',
    });
    expect([refused.status, refused.json.error.code]).toEqual([409, 'NOT_FOR_SALE']);
    expect(await stack.product(token)).toEqual(before);
    expect((await cli('products', 'activate', token)).stdout).toContain(`${token} is on sale`);
    const bought = await stack.purchase({ ...glaseSampleBody, purchaseToken: token, clientName: 'In Time' });
    expect(bought.status).toBe(200);
  });

  describe('orders refund', () => {
    it('refunds in part, then the rest, recording Glase references and restocking once', async () => {
      const order = await paidOrder('Partial Refund');
      const stockBefore = await stack.product('JKT-RAIN-M-NAVY');

      const part = await cli('orders', 'refund', order.orderId, '--amount', '100.50');
      expect(part.code).toBe(0);
      expect(part.stdout).toContain('refunded 100.50 SEK');
      expect(part.stdout).toContain('PARTIALLY_REFUNDED');

      const rest = await cli('orders', 'refund', order.orderId, '--restock', '--json');
      expect(rest.code).toBe(0);
      const json = JSON.parse(rest.stdout);
      expect(json.status).toBe('REFUNDED');
      expect(json.refunded).toEqual({ value: '899.00', currency: 'SEK' });
      expect(json.refunds.map((refund: any) => [refund.status, refund.amount.value, refund.restock])).toEqual(
        [
          ['SUCCEEDED', '100.50', false],
          ['SUCCEEDED', '798.50', true],
        ],
      );
      const invoice = stack.sandbox!.invoices.get(order.invoiceReference!)!;
      expect(invoice.refundedMinor).toBe(89900);
      expect(json.refunds.map((refund: any) => refund.ersReference)).toEqual(
        invoice.refunds.map((r) => r.ersReference),
      );
      const stockAfter = await stack.product('JKT-RAIN-M-NAVY');
      expect(stockAfter.available).toBe(stockBefore.available + 1);
      expect(stockAfter.sold).toBe((stockBefore.sold ?? 0) - 1);

      const nothingLeft = await cli('orders', 'refund', order.orderId);
      expect(nothingLeft.code).toBe(1);
      expect(nothingLeft.stderr).toContain('only PAID or PARTIALLY_REFUNDED orders can be refunded');
    });

    it('refuses more than what remains before calling Glase', async () => {
      const order = await paidOrder('Over Refund');
      const calls = refundCalls();
      const run = await cli('orders', 'refund', order.orderId, '--amount', '899.01');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('refund of 899.01 SEK is more than the 899.00 SEK left to refund');
      expect(refundCalls()).toBe(calls);
    });

    it('maps Glase result 98 to a clear refusal and records the refund as failed', async () => {
      const order = await paidOrder('Glase Says No');
      stack.sandbox!.injectFault({ operation: 'refundPayment', kind: 'result', resultCode: 98 });
      const run = await cli('orders', 'refund', order.orderId, '--json');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Glase refused the refund: the refunds would exceed the original payment');
      const stored = (await stack.orders()).find((o) => o.orderId === order.orderId)!;
      expect(stored.status).toBe('PAID');
      expect(stored.pendingRefundId).toBeUndefined();
      expect(stored.refunds?.map((refund) => refund.status)).toEqual(['FAILED']);
    });

    it('refunds once when the same command is run twice', async () => {
      const order = await paidOrder('Double Run');
      const calls = refundCalls();
      const [first, second] = [
        await cli('orders', 'refund', order.orderId, '--amount', '50'),
        await cli('orders', 'refund', order.orderId, '--amount', '50'),
      ];
      expect(first.code).toBe(0);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('looks like the same command run twice');
      expect(refundCalls()).toBe(calls + 1);
    });

    it(
      'never refunds twice after a timeout: the refund stays pending until settled',
      async () => {
        const order = await paidOrder('Timed Out Refund');
        stack.sandbox!.injectFault({ operation: 'refundPayment', kind: 'delay', delayMs: 2500 });
        const calls = refundCalls();

        const timedOut = await cli('orders', 'refund', order.orderId, '--amount', '500');
        expect(timedOut.code).toBe(1);
        // It says the refund is PENDING and exactly what to run next.
        expect(timedOut.stderr).toMatch(/^refused: refund R\w+ of 500\.00 SEK is PENDING: Glase did not say/);
        expect(timedOut.stderr).toContain(
          `orders settle-refund ${order.orderId} --succeeded <Glase reference>`,
        );
        const retry = await cli('orders', 'refund', order.orderId);
        expect(retry.code).toBe(1);
        expect(retry.stderr).toContain('still pending');
        expect(refundCalls()).toBe(calls + 1);

        // Confirmed and pending are shown apart, in text and JSON.
        const shown = await cli('orders', 'get', order.orderId);
        expect(shown.stdout).toMatch(
          /refunded {3}0\.00 SEK confirmed, 500\.00 SEK PENDING \(R\w+: ask Glase/,
        );
        const json = JSON.parse((await cli('orders', 'get', order.orderId, '--json')).stdout);
        expect([json.refundConfirmed, json.refundPending]).toEqual([
          { value: '0.00', currency: 'SEK' },
          { value: '500.00', currency: 'SEK' },
        ]);
        const pendingList = await cli('orders', 'list', '--pending-refunds');
        expect(pendingList.stdout).toMatch(new RegExp(`${order.orderId}\\s+R\\w+\\s+500\\.00 SEK`));
        // Each pending refund with its own command to settle it; --status narrows the list.
        expect(pendingList.stdout).toMatch(
          new RegExp(
            `R\\w+: orders settle-refund ${order.orderId} --succeeded <Glase reference> \\| --failed <reason>`,
          ),
        );
        const paidOnly = JSON.parse(
          (await cli('orders', 'list', '--pending-refunds', '--status', 'PAID', '--json')).stdout,
        );
        expect(paidOnly.map((o: { orderId: string }) => o.orderId)).toContain(order.orderId);
        const refundedOnly = JSON.parse(
          (await cli('orders', 'list', '--pending-refunds', '--status', 'REFUNDED', '--json')).stdout,
        );
        expect(refundedOnly.map((o: { orderId: string }) => o.orderId)).not.toContain(order.orderId);

        // settle-refund checks what it is told, and records nothing when it is wrong.
        const banana = await cli('orders', 'settle-refund', order.orderId, '--succeeded', 'banana');
        expect([banana.code, banana.stderr]).toEqual([
          1,
          expect.stringContaining('"banana" is not a Glase reference'),
        ]);
        const tooMuch = await cli(
          'orders',
          'settle-refund',
          order.orderId,
          '--succeeded',
          '1234567890',
          '--amount',
          '500.01',
        );
        expect(tooMuch.stderr).toContain('at most the 500.00 SEK pending');
        const amountAlone = await cli(
          'orders',
          'settle-refund',
          order.orderId,
          '--failed',
          'x',
          '--amount',
          '1',
        );
        expect(amountAlone.code).toBe(2);
        expect(
          (await stack.orders()).find((o) => o.orderId === order.orderId)?.pendingRefundId,
        ).toBeDefined();

        const settled = await cli('orders', 'settle-refund', order.orderId, '--succeeded', '1234567890');
        expect(settled.code).toBe(0);
        expect(settled.stdout).toMatch(
          /^recorded: refund R\w+ of 500\.00 SEK SUCCEEDED \(Glase 1234567890\)/,
        );
        expect(settled.stdout).toContain('is PARTIALLY_REFUNDED; refunded 500.00 SEK confirmed');
        expect((await cli('orders', 'list', '--pending-refunds', '--json')).stdout).not.toContain(
          order.orderId,
        );
        // The refund's own reference finds the order now.
        const found = JSON.parse((await cli('orders', 'find', '1234567890', '--json')).stdout);
        expect(found.map((o: { orderId: string }) => o.orderId)).toEqual([order.orderId]);
      },
      HANG,
    );
  });

  it('cancels an unpaid order at Glase and releases its unit; refuses a paid one', async () => {
    const response = await stack.purchase({ ...glaseSampleBody, clientName: 'Cancel Me' });
    const order = (await stack.orders()).find(
      (o) => o.invoiceReference === response.json.invoiceReferenceId,
    )!;
    const before = await stack.product(order.purchaseToken);

    const run = await cli('orders', 'cancel', order.orderId);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('is CANCELED');
    expect(stack.sandbox!.invoices.get(order.invoiceReference!)?.status).toBe('CANCELED');
    expect((await stack.product(order.purchaseToken)).available).toBe(before.available + 1);
    const again = await cli('orders', 'cancel', order.invoiceReference!);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('only INVOICED (unpaid) orders can be cancelled');
  });

  it('every order command takes any reference `orders get` takes, and refuses one that names several', async () => {
    const email = `two.orders.${Date.now()}@example.com`;
    const first = await stack.purchase({ ...glaseSampleBody, clientName: 'Twice A', email });
    await stack.purchase({ ...glaseSampleBody, clientName: 'Twice B', email, zip: '11123' });
    // By its invoice reference: cancelled.
    const cancelled = await cli('orders', 'cancel', first.json.invoiceReferenceId);
    expect([cancelled.code, cancelled.stdout]).toEqual([0, expect.stringContaining('is CANCELED')]);
    // By the shopper's e-mail, which finds both: refused with both ids, nothing done.
    const refundsBefore = refundCalls();
    for (const [name, ...flags] of [['get'], ['cancel'], ['refund'], ['settle-refund', '--failed', 'x']]) {
      const run = await cli('orders', name as string, email, ...flags, '--json');
      expect([name, run.code, JSON.parse(run.stderr).error.code]).toEqual([name, 1, 'AMBIGUOUS_ORDER']);
    }
    expect(refundCalls()).toBe(refundsBefore);
    const order = await paidOrder('Refund By Reference');
    const refunded = await cli('orders', 'refund', order.ersReference!, '--amount', '1.00');
    expect([refunded.code, refunded.stdout]).toEqual([
      0,
      expect.stringContaining(`order ${order.orderId} is PARTIALLY_REFUNDED`),
    ]);
  });

  it('finds a shopper however a Swede writes the number, and an address with or without its +tag', async () => {
    const stamp = String(Date.now()).slice(-7);
    const response = await stack.purchase({
      ...glaseSampleBody,
      clientName: 'Karin',
      email: `karin+shop${stamp}@example.se`,
      msisdn: `4670${stamp}`,
    });
    const order = (await stack.orders()).find(
      (o) => o.invoiceReference === response.json.invoiceReferenceId,
    )!;
    const ids = async (term: string) =>
      JSON.parse((await cli('orders', 'find', term, '--json')).stdout).map(
        (o: { orderId: string }) => o.orderId,
      );
    expect(await ids(`070${stamp}`)).toEqual([order.orderId]);
    expect(await ids(`070-${stamp.slice(0, 3)} ${stamp.slice(3, 5)} ${stamp.slice(5)}`)).toEqual([
      order.orderId,
    ]);
    expect(await ids(`+46 70 ${stamp}`)).toEqual([order.orderId]);
    expect(await ids('karin@example.se')).toContain(order.orderId);
    expect(await ids('Karin+other@Example.SE')).toContain(order.orderId);
  });

  it('commits instead of cancelling when Glase says the invoice was already paid (50)', async () => {
    const response = await stack.purchase({ ...glaseSampleBody, clientName: 'Paid Meanwhile' });
    await stack.sandbox!.pay(response.json.invoiceReferenceId, { notify: false });
    const order = (await stack.orders()).find(
      (o) => o.invoiceReference === response.json.invoiceReferenceId,
    )!;
    const run = await cli('orders', 'cancel', order.orderId);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('was paid before it could be cancelled');
    expect((await stack.orders()).find((o) => o.orderId === order.orderId)?.status).toBe('PAID');
  });

  it('lists and shows orders as JSON with stable field names', async () => {
    await paidOrder('Json Reader');
    const list = await cli('orders', 'list', '--status', 'PAID', '--limit', '2', '--json');
    expect(list.code).toBe(0);
    const orders = JSON.parse(list.stdout);
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.length).toBeLessThanOrEqual(2);
    for (const order of orders) {
      expect(Object.keys(order)).toEqual(
        expect.arrayContaining([
          'orderId',
          'status',
          'purchaseToken',
          'invoiceReference',
          'ersReference',
          'total',
          'customer',
          'createdAt',
          'refunds',
        ]),
      );
      expect(order.status).toBe('PAID');
      expect(order.total).toEqual({ value: expect.stringMatching(/^\d+\.\d\d$/), currency: 'SEK' });
    }
    const one = await cli('orders', 'get', orders[0].orderId, '--json');
    expect(JSON.parse(one.stdout).orderId).toBe(orders[0].orderId);
    const human = await cli('orders', 'get', orders[0].orderId);
    // Every time with its zone; the payment reference the shopper's mail gives, beside Glase's ers.
    expect(human.stdout).toMatch(/history\n {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}RESERVED/);
    expect(human.stdout).toContain(
      `(payment reference ${orders[0].paymentReference}, as the shopper's mail says)`,
    );
    const table = await cli('orders', 'list', '--status', 'PAID', '--limit', '2');
    expect(table.stdout.split('\n')[1]).toMatch(/ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /);
    expect((await cli('orders', 'get', '01JBZK3Q8N5V7W9X2Y4Z6A8B0C')).code).toBe(1);
  });

  it(
    'finds orders by what a support call quotes: Glase references, e-mail, phone; any case of status',
    async () => {
      const email = `Finder.${Date.now()}@Example.com`;
      const response = await stack.purchase({
        ...glaseSampleBody,
        clientName: 'Find Me',
        email,
        msisdn: '+46 70 111 22 33',
      });
      await stack.sandbox!.pay(response.json.invoiceReferenceId);
      const order = (await stack.orders()).find(
        (o) => o.invoiceReference === response.json.invoiceReferenceId,
      )!;
      const ids = async (...args: string[]) =>
        JSON.parse((await cli('orders', 'find', ...args, '--json')).stdout).map(
          (o: { orderId: string }) => o.orderId,
        );
      expect(await ids(order.invoiceReference!)).toEqual([order.orderId]);
      expect(await ids(order.ersReference!)).toEqual([order.orderId]);
      expect(await ids(order.paymentReference!)).toEqual([order.orderId]);
      expect(await ids(email.toLowerCase())).toEqual([order.orderId]);
      expect(await ids('+46701112233')).toContain(order.orderId);
      // `orders get` takes them too, and says what it searched when nothing matches.
      const byInvoice = await cli('orders', 'get', order.invoiceReference!, '--json');
      expect(JSON.parse(byInvoice.stdout).orderId).toBe(order.orderId);
      const none = await cli('orders', 'get', '1795999999999');
      expect([none.code, none.stderr.trim()]).toEqual([
        1,
        'refused: no order matches 1795999999999 (searched order id, Glase invoice/payment/ers reference, e-mail, phone)',
      ]);
      const nothing = await cli('orders', 'find', 'nobody@nowhere.example');
      expect(nothing.stdout).toContain('no order matches nobody@nowhere.example');
      const paid = JSON.parse((await cli('orders', 'list', '--status', 'paid', '--json')).stdout);
      expect(paid.map((o: { orderId: string }) => o.orderId)).toContain(order.orderId);
      const wrong = await cli('orders', 'list', '--status', 'payed');
      expect([wrong.code, wrong.stderr]).toEqual([
        2,
        expect.stringContaining('use one of RESERVED, INVOICED, PAID'),
      ]);
    },
    HANG,
  );

  it('answers --version, and --json everywhere: the snippet as data, errors as one JSON object on stderr', async () => {
    const version = await cli('--version');
    expect([version.code, version.stdout.trim()]).toEqual([0, expect.stringMatching(/^\d+\.\d+\.\d+/)]);
    const snippet = await cli(
      'snippet',
      '29834231890234',
      '--script-url',
      'https://cdn.example/qr.js',
      '--json',
    );
    expect(JSON.parse(snippet.stdout)).toEqual({
      scriptUrl: 'https://cdn.example/qr.js',
      selector: '#qrcode',
      purchaseToken: '29834231890234',
      webshopId: 'local-shop',
      placeholderScriptUrl: false,
      html: expect.stringContaining('purchaseToken: "29834231890234"'),
    });
    const errors = await Promise.all([
      cli('snippet', 'NO-SUCH-TOKEN', '--json'),
      cli('orders', 'refund', '--json'),
      cli('orders', 'get', 'NOPE', '--json'),
    ]);
    expect(errors.map((run) => [run.code, JSON.parse(run.stderr).error.code])).toEqual([
      [1, 'UNKNOWN_PURCHASE_TOKEN'],
      [2, 'USAGE'],
      [1, 'ORDER_NOT_FOUND'],
    ]);
    for (const run of errors) expect(run.stdout).toBe('');
  });

  it('imports a bundle from CSV, checked first; shows its components and availability; refuses stock commands; prints its snippet', async () => {
    const header = 'purchaseToken,sku,description,price,currency,taxRatePercent,onHand,ean,components\n';
    const bad = file(
      'bad-bundle.csv',
      `${header}TEA-CUP,TEA-1,Tea cup,59.00,SEK,25,8,,\nTEA-SET,SET-1,Tea set,99.00,SEK,,,,TEA-CUP*2 NO-SUCH\nTEA-DEAR,SET-2,Tea set,999.00,SEK,,,,TEA-CUP*2\n`,
    );
    const refused = await cli('products', 'import', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('line 3: components[2] NO-SUCH is not in the catalog or this file');
    expect(refused.stderr).toContain('line 4: price is above what its components cost (11800 minor units)');
    expect(refused.stderr).toContain('2 problem(s) in 2 of 3 rows; nothing was written');
    expect(await stack.product('TEA-CUP')).toBeUndefined();

    const good = file(
      'bundle.csv',
      // Its own products, so what other tests here do to the demo catalog changes nothing.
      `${header}TEA-CUP,TEA-1,Tea cup,59.00,SEK,25,8,,\nTEA-POT,POT-1,Tea pot,199.00,SEK,25,3,,\n` +
        'TEA-SET,SET-1,"Tea set: two cups and the pot",299.00,SEK,,,,TEA-CUP*2 TEA-POT\n',
    );
    const planned = await cli('products', 'import', good, '--dry-run', '--json');
    expect(JSON.parse(planned.stdout)).toMatchObject({ create: 3, update: 0, dryRun: true });
    const imported = await cli('products', 'import', good);
    expect([imported.code, imported.stdout.trim()]).toEqual([
      0,
      'imported 3 rows: 3 created, 0 updated (live stock kept)',
    ]);

    const shown = await cli('products', 'get', 'TEA-SET');
    expect(shown.stdout).toMatch(
      /TEA-SET +SET-1 +299\.00 SEK +25% +- +- +3 +- +on +Tea set: two cups and the pot \(bundle: 2 × TEA-CUP, 1 × TEA-POT\)/,
    );
    expect(shown.stdout).toMatch(/TEA-CUP +2 +TEA-1 +59\.00 SEK +25% +Tea cup/);
    const json = JSON.parse((await cli('products', 'get', 'TEA-SET', '--json')).stdout);
    expect(json.components.map((part: any) => [part.purchaseToken, part.quantity, part.price.value])).toEqual(
      [
        ['TEA-CUP', 2, '59.00'],
        ['TEA-POT', 1, '199.00'],
      ],
    );
    const listed = JSON.parse((await cli('products', 'list', '--json')).stdout);
    expect(listed.find((product: any) => product.purchaseToken === 'TEA-SET').available).toBe(3);
    expect(listed.find((product: any) => product.purchaseToken === 'TEA-CUP').components).toBeNull();

    const stock = await cli('products', 'stock', 'TEA-SET', '5');
    expect(stock.code).toBe(1);
    expect(stock.stderr).toContain(
      "TEA-SET is a bundle: it has no stock of its own, its components' (TEA-CUP, TEA-POT) sell it",
    );
    const snippet = await cli('snippet', 'TEA-SET');
    expect([snippet.code, snippet.stdout.includes('purchaseToken: "TEA-SET"')]).toEqual([0, true]);
  });

  it('prints the QR widget snippet for a known token only', async () => {
    const run = await cli('snippet', '29834231890234', '--script-url', 'https://cdn.example/qr.js');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('<script src="https://cdn.example/qr.js"></script>');
    expect(run.stdout).toContain('purchaseToken: "29834231890234"');
    expect(run.stdout).toContain('webshopId: "local-shop"');
    expect((await cli('snippet', 'NO-SUCH-TOKEN')).code).toBe(1);
    // Connected to npm start, the product page loads the sandbox's stand-in for Glase's script.
    const local = await cli.with({ GLASE_SANDBOX_PORT: '8099' })('snippet', '29834231890234');
    expect(local.stdout).toContain('<script src="http://127.0.0.1:8099/sandbox/qr.js"></script>');
    expect(local.stderr).not.toContain('placeholder');
  });

  it('says usage errors with 2 and an unreachable shop with 1, without secrets or stack traces', async () => {
    const usage = await cli('orders', 'refund');
    expect(usage.code).toBe(2);
    const down = await new Promise<Run>((resolve) =>
      execFile(
        process.execPath,
        [BIN, 'orders', 'list'],
        { env: { ...env, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' } },
        (error, stdout, stderr) => resolve({ code: Number((error as any)?.code ?? 0), stdout, stderr }),
      ),
    );
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('is `npm start` running?');
    expect(down.stderr).not.toContain('12345678');
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });

  describe('orders reindex', () => {
    it('finds orders stored before the lookup index again: doctor says when, reindex prints its progress and may run twice', async () => {
      const order = await paidOrder('Reindexed Shopper');
      // As an old release left them: the orders, without one lookup item.
      const { document } = stack.dynamo;
      const lookups = await document.send(
        new ScanCommand({
          TableName: stack.tables.orders,
          FilterExpression: 'begins_with(orderId, :lookup)',
          ExpressionAttributeValues: { ':lookup': KEY_PREFIX.lookup },
        }),
      );
      expect(lookups.Items?.length).toBeGreaterThan(0);
      for (const item of lookups.Items ?? []) {
        await document.send(
          new DeleteCommand({ TableName: stack.tables.orders, Key: { orderId: item.orderId } }),
        );
      }
      expect(JSON.parse((await cli('orders', 'find', order.invoiceReference!, '--json')).stdout)).toEqual([]);
      const before = await cli('doctor');
      expect(before.stdout).toMatch(
        /^FAIL {2}index +orders stored before the lookup index \(.*PAID.*\): run `orders reindex`/m,
      );

      const run = await cli('orders', 'reindex');
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(
        /^RESERVED: 0 order\(s\), 0 lookup entries written; to resume: --from INVOICED$/m,
      );
      expect(run.stderr).toMatch(
        /^PAID: \d+ order\(s\), \d+ lookup entries written; to resume: --from PARTIALLY_REFUNDED$/m,
      );
      expect(run.stdout).toMatch(/^reindexed \d+ order\(s\): \d+ lookup entries written/);
      const found = await cli('orders', 'find', order.invoiceReference!, '--json');
      expect(JSON.parse(found.stdout).map((each: { orderId: string }) => each.orderId)).toEqual([
        order.orderId,
      ]);
      expect((await cli('doctor')).stdout).toMatch(
        /^ok {4}index +the oldest order of each status is in the lookup index/m,
      );

      const again = await cli('orders', 'reindex', '--json', '--from', 'paid');
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({ orders: expect.any(Number), entries: expect.any(Number) });
      const bad = await cli('orders', 'reindex', '--from', 'SOMEWHERE');
      expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('use one of RESERVED, INVOICED')]);
    });
  });

  describe('doctor', () => {
    it('says the shop is ready: tables, secrets, Glase accepts the terminal, the API answers; prints the URL', async () => {
      const run = await cli('doctor');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ok {4}tables /m);
      expect(run.stdout).toMatch(/^ok {4}secrets .*terminal credentials, notification signing key are set/m);
      expect(run.stdout).toMatch(/^ok {4}glase .*accepted the terminal credentials/m);
      expect(run.stdout).toMatch(/^ok {4}api .*answers 400 INVALID_INPUT to an empty body/m);
      expect(run.stdout).toMatch(/^ok {4}caller-auth warning: CALLER_AUTH=none/m);
      // The local profile names a seller: its mails are receipts.
      expect(run.stdout).not.toMatch(/receipt/);
      expect(run.stdout).toContain(`${stack.apiUrl}/webshop/createPurchase`);
      const unnamed = await cli.with({ SELLER_NAME: '', SELLER_ORG_NUMBER: '' })('doctor');
      expect(unnamed.code).toBe(0);
      expect(unnamed.stdout).toMatch(
        /^ok {4}receipt +warning: the shopper mails are on but the seller is not named/m,
      );
      const json = await cli('doctor', '--json');
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: true,
        createPurchaseUrl: `${stack.apiUrl}/webshop/createPurchase`,
      });
    });

    it('tells wrong terminal credentials from right ones, and a placeholder from both; exit 1', async () => {
      const wrong = await cli.with({ GLASE_TERMINAL_PASSWORD: 'not-the-password' })('doctor', '--json');
      expect(wrong.code).toBe(1);
      const glase = JSON.parse(wrong.stdout).checks.find((check: { name: string }) => check.name === 'glase');
      expect(glase).toMatchObject({
        ok: false,
        detail: expect.stringContaining('AUTHENTICATION_FAILED (result 20)'),
      });
      expect(wrong.stdout).not.toContain('not-the-password');

      const placeholder = await cli.with({
        NOTIFICATION_SIGNING_KEY: 'REPLACE_WITH_A_SIGNING_KEY_0123456789abcdef',
      })('doctor');
      expect(placeholder.code).toBe(1);
      expect(placeholder.stdout).toMatch(
        /^FAIL {2}secrets .*NOTIFICATION_SIGNING_KEY still holds its placeholder/m,
      );
      expect(placeholder.stdout).toMatch(/^ok {4}glase /m);

      const nowhere = await cli.with({ PUBLIC_BASE_URL: 'http://127.0.0.1:9' })('doctor');
      expect(nowhere.code).toBe(1);
      expect(nowhere.stdout).toMatch(/^FAIL {2}api .*could not be reached/m);
    });

    it('with a URL key: checks the keyed URL and prints it whole, the one thing to give Glase', async () => {
      const keyed = await startTestStack({ environment: { CALLER_AUTH: 'url-key' } });
      try {
        const run = await cli.with({
          CALLER_AUTH: 'url-key',
          TABLE_PREFIX: keyed.tables.products.replace(/products$/, ''),
          GLASE_API_URL: keyed.sandbox!.url,
          PUBLIC_BASE_URL: keyed.apiUrl,
        })('doctor', '--json');
        expect(run.code).toBe(0);
        expect(JSON.parse(run.stdout).createPurchaseUrl).toBe(keyed.createPurchaseUrl);
        expect(keyed.createPurchaseUrl).toContain(`/webshop/${LOCAL_SECRETS.urlKey}/createPurchase`);
        // Without CALLER_AUTH in this shell: it follows the mode the local API answers to.
        const follows = await cli.with({
          TABLE_PREFIX: keyed.tables.products.replace(/products$/, ''),
          GLASE_API_URL: keyed.sandbox!.url,
          PUBLIC_BASE_URL: keyed.apiUrl,
        })('doctor');
        expect(follows.code).toBe(0);
        expect(follows.stdout).toMatch(
          /^ok {4}api .*\{urlKey\}\/createPurchase answers 400 .*\(npm start runs CALLER_AUTH=url-key\)$/m,
        );
        expect(follows.stdout).not.toMatch(/caller-auth warning/);
        expect(follows.stdout).toContain(`  ${keyed.createPurchaseUrl}`);
      } finally {
        await keyed.close();
      }
    });
  });
});
