import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

describe('createPurchase: three DynamoDB round trips, a replay in one', () => {
  let stack: TestStack;
  const requests: string[] = [];
  beforeAll(async () => {
    stack = await startTestStack({ dynamoCounters: { onRequest: (command) => requests.push(command) } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('reads product and request record together, reserves in one transaction, records the invoice in another', async () => {
    const body = { ...glaseSampleBody, clientName: 'Counted Shopper' };
    requests.length = 0;
    const first = await stack.purchase(body);
    expect(first.status).toBe(200);
    expect(requests).toEqual([
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
      'TransactWriteItemsCommand',
    ]);

    requests.length = 0;
    const again = await stack.purchase(body);
    expect(again.json).toEqual(first.json);
    expect(requests).toEqual(['BatchGetItemCommand']);
  });
});

describe('what one purchase costs in DynamoDB capacity, as DynamoDB Local reports it', () => {
  let stack: TestStack;
  const consumed: { table: string; units: number }[] = [];
  beforeAll(async () => {
    stack = await startTestStack({
      // The shipped default: a shopper's open orders are counted (two counter items: e-mail, phone).
      environment: { OPEN_ORDERS_PER_SHOPPER: '1' },
      dynamoCounters: {
        // DynamoDB Local reports each table's (and index's) total units: reads and writes by command.
        onCapacity: (command, capacities) => {
          const kind = /^(Get|BatchGet|Query|Scan)/.test(command) ? 'read' : 'write';
          for (const capacity of capacities) {
            const table = (capacity.TableName ?? '').replace(/^t[0-9a-f]{8}-/, '');
            consumed.push({ table: `${table} ${kind}`, units: capacity.Table?.CapacityUnits ?? 0 });
            for (const [index, units] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
              consumed.push({ table: `${table}.${index} ${kind}`, units: units.CapacityUnits ?? 0 });
            }
          }
        },
      },
    });
  });
  afterAll(async () => {
    await stack.close();
  });
  const measured = () => {
    const totals: Record<string, number> = {};
    for (const { table, units } of consumed.splice(0)) totals[table] = (totals[table] ?? 0) + units;
    return totals;
  };

  it('a purchase and its payment, per table and index (docs/hot-products.md quotes these figures)', async () => {
    measured(); // what starting the stack (the catalog's seeding) consumed
    const bought = await stack.purchase({
      ...glaseSampleBody,
      msisdn: '+46701234567',
      clientName: 'Capacity Shopper',
    });
    expect(bought.status).toBe(200);
    const purchase = measured();
    await stack.sandbox!.pay(bought.json.invoiceReferenceId);
    const payment = measured();
    // The stock item: a transactional write of an item under 1 KB is 2 units; it is written once
    // to reserve and once to sell. Everything else a purchase writes is on other partitions.
    expect(purchase['products write']).toBe(2);
    expect(payment['products write']).toBe(2);
    expect(purchase['products read']).toBe(0.5);
    const sum = (totals: Record<string, number>, kind: string) =>
      Object.entries(totals)
        .filter(([key]) => key.endsWith(kind))
        .reduce((total, [, units]) => total + units, 0);
    const figures = {
      purchase,
      payment,
      writeUnits: sum(purchase, 'write') + sum(payment, 'write'),
      readUnits: sum(purchase, 'read') + sum(payment, 'read'),
    };
    // Orders (the order, its lookup items and their index entries) and idempotency (the request
    // record and the shopper's counters, each written twice) cost many times the stock item.
    expect(figures.writeUnits).toBeGreaterThan(8 * 4);
    process.stdout.write(`consumed capacity per purchase and payment: ${JSON.stringify(figures)}\n`);
  });
});

describe('shoppers: a cap on one shopper’s unpaid orders, and a decline that can be retried', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The shipped default: one unpaid order of a product per shopper.
    stack = await startTestStack({ environment: { OPEN_ORDERS_PER_SHOPPER: '1' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('hoarding: one shopper sending 53 different bodies at once gets one unit; real shoppers are still served', async () => {
    const token = 'JKT-RAIN-L-NAVY';
    await stack.operator.catalog.adjustStock(token, { set: 48 });
    const hoarder = {
      ...glaseSampleBody,
      purchaseToken: token,
      email: 'hoarder@example.com',
      msisdn: '+46700000001',
    };
    const answers = await Promise.all(
      Array.from({ length: 53 }, (_, index) =>
        stack.purchase({
          ...hoarder,
          street: `Fake street ${index}`,
          email: index % 2 ? 'Hoarder+x@Example.com' : hoarder.email,
        }),
      ),
    );
    const codes = answers.map((answer) => (answer.status === 200 ? 'OK' : answer.json.error.code));
    expect(codes.filter((code) => code === 'OK')).toHaveLength(1);
    expect(codes.filter((code) => code !== 'OK').every((code) => code === 'OPEN_ORDER_LIMIT')).toBe(true);
    const refusal = answers.find((answer) => answer.status === 409);
    expect(refusal?.json.error.message).toMatch(/already have an unpaid order/);
    expect((await stack.product(token)).reserved).toBe(1);
    expect(stack.sandbox!.callsTo('sendInvoice')).toHaveLength(1);

    // The same phone under another address is the same shopper.
    const samePhone = await stack.purchase({
      ...hoarder,
      email: 'someone@example.com',
      street: 'Elsewhere 9',
    });
    expect(samePhone.json.error.code).toBe('OPEN_ORDER_LIMIT');
    // Everyone else still gets a unit.
    for (const index of [1, 2, 3]) {
      const real = await stack.purchase({
        ...glaseSampleBody,
        purchaseToken: token,
        email: `real${index}@example.com`,
      });
      expect(real.status).toBe(200);
    }
    expect((await stack.product(token)).reserved).toBe(4);
  });

  it('decline then retry with the same details: a new, payable invoice, not the dead one', async () => {
    const body = { ...glaseSampleBody, email: 'changed.mind@example.com' };
    const first = await stack.purchase(body);
    expect(first.status).toBe(200);
    stack.sandbox!.cancel(first.json.invoiceReferenceId);
    await stack.reconcile(); // Glase's notification of the decline, or the reconciler: the order is CANCELED
    const declined = (await stack.orders()).find(
      (order) => order.invoiceReference === first.json.invoiceReferenceId,
    );
    expect(declined?.status).toBe('CANCELED');

    const retry = await stack.purchase(body);
    expect(retry.status).toBe(200);
    expect(retry.json.invoiceReferenceId).not.toBe(first.json.invoiceReferenceId);
    const paid = await stack.sandbox!.pay(retry.json.invoiceReferenceId);
    expect(paid.notification).toEqual({ statusCode: 200, ms: expect.any(Number) });
    const order = (await stack.orders()).find(
      (candidate) => candidate.invoiceReference === retry.json.invoiceReferenceId,
    );
    expect(order?.status).toBe('PAID');
    // A paid order's request is still answered from its record.
    expect((await stack.purchase(body)).json).toEqual(retry.json);
  });
});
