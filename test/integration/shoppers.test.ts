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
