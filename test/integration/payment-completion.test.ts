import { signOrderId } from '../../lambda/checkout/model/notification-signature.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import { LOCAL_SECRETS } from '../../local/stack.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

const MUG = '29834231890234';

describe('payment completion: notification → getPaymentStatus → PAID', () => {
  let stack: TestStack;
  let clockOffsetMs = 0;
  beforeAll(async () => {
    stack = await startTestStack({
      wiring: { clock: { now: () => new Date(Date.now() + clockOffsetMs) } },
      // Glase's own 20 s: a reversal happens only when a test makes the time run out
      // (sandbox.reverseUnasked), never because the machine was slow.
    });
  });
  afterAll(async () => {
    await stack.close();
  });
  afterEach(() => {
    clockOffsetMs = 0;
    stack.sandbox?.clearFaults();
  });

  async function invoiced(clientName: string, purchaseToken = MUG): Promise<Order> {
    const response = await stack.purchase({ ...glaseSampleBody, clientName, purchaseToken });
    expect(response.status).toBe(200);
    const order = (await stack.orders()).find(
      (candidate) => candidate.invoiceReference === response.json.invoiceReferenceId,
    );
    if (!order) throw new Error('order not recorded');
    return order;
  }
  const orderById = async (orderId: string) =>
    (await stack.orders()).find((order) => order.orderId === orderId);
  const statusCalls = (order: Order) =>
    stack.sandbox
      ?.callsTo('getPaymentStatus')
      .filter((call) => call.invoiceReference === order.invoiceReference) ?? [];
  const notify = (orderId: string, sig = signOrderId(orderId, LOCAL_SECRETS.signingKey)) =>
    stack.post(`/webshop/notify/${orderId}?sig=${encodeURIComponent(sig)}`, '');

  it('commits a payment: order PAID with ersReference, unit sold once, status asked once and in time', async () => {
    const order = await invoiced('Paying Customer');
    const reserved = await stack.product(MUG);

    const invoice = await stack.sandbox!.pay(order.invoiceReference!);

    expect(invoice.notification).toEqual({ statusCode: 200, ms: expect.any(Number) });
    const paid = await orderById(order.orderId);
    expect(paid).toMatchObject({
      status: 'PAID',
      ersReference: invoice.ersReference,
      paymentReference: invoice.paymentReference,
      paidAt: invoice.paidAt,
      invoiceVersion: 1,
    });
    expect(paid?.history.map((change) => change.status)).toEqual(['RESERVED', 'INVOICED', 'PAID']);
    const product = await stack.product(MUG);
    expect(product.available).toBe(reserved.available);
    expect(product.sold).toBe((reserved.sold ?? 0) + 1);
    expect(statusCalls(order)).toHaveLength(1);
    // Asked for before Glase's 20 s ran out, so nothing can reverse it.
    expect(invoice.statusCheckedAt).toBeDefined();
    expect(stack.sandbox!.reverseUnasked()).toEqual([]);
    expect(invoice.reversed).toBeUndefined();

    // A repeated notification after PAID: harmless, no new call to Glase, still 200.
    const again = await notify(order.orderId);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ orderId: order.orderId, status: 'PAID' });
    expect((await stack.product(MUG)).sold).toBe(product.sold);
    expect(statusCalls(order)).toHaveLength(1);
  });

  it.each([
    ['a forged signature', 'forged'],
    ['a signature for another order', signOrderId('01JBZK3Q8N5V7W9X2Y4Z6A8B0C', LOCAL_SECRETS.signingKey)],
    ['no signature', ''],
  ])('rejects %s without calling Glase or changing anything', async (_name, sig) => {
    const order = await invoiced(`Forgery ${sig.length}`);
    await stack.sandbox!.pay(order.invoiceReference!, { notify: false });
    const callsBefore = stack.sandbox!.calls.length;

    const response = await notify(order.orderId, sig);

    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe('INVALID_SIGNATURE');
    expect(stack.sandbox!.calls.length).toBe(callsBefore);
    expect((await orderById(order.orderId))?.status).toBe('INVOICED');
  });

  it('answers 404 for a correctly signed but unknown order, without calling Glase', async () => {
    const callsBefore = stack.sandbox!.calls.length;
    const response = await notify('01JBZK3Q8N5V7W9X2Y4Z6A8B0C');
    expect(response.status).toBe(404);
    expect(stack.sandbox!.calls.length).toBe(callsBefore);
  });

  it('settles a cancelled invoice as CANCELED and gives the unit back', async () => {
    const before = await stack.product(MUG);
    const order = await invoiced('Changed Mind');
    stack.sandbox!.cancel(order.invoiceReference!);

    const response = await notify(order.orderId);

    expect(response.json).toEqual({ orderId: order.orderId, status: 'CANCELED' });
    expect((await orderById(order.orderId))?.status).toBe('CANCELED');
    expect((await stack.product(MUG)).available).toBe(before.available);
  });

  it('lets only one of two concurrent notifications make the transition', async () => {
    const order = await invoiced('Double Notified');
    const before = await stack.product(MUG);
    await stack.sandbox!.pay(order.invoiceReference!, { notify: false });

    const answers = await Promise.all([notify(order.orderId), notify(order.orderId), notify(order.orderId)]);

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const paid = await orderById(order.orderId);
    expect(paid?.history.filter((change) => change.status === 'PAID')).toHaveLength(1);
    expect((await stack.product(MUG)).sold).toBe((before.sold ?? 0) + 1);
  });

  it('withdraws an invoice that stayed unpaid past INVOICE_TTL_SECONDS and gives the unit back', async () => {
    // A product of its own: the reconciler also withdraws what earlier tests left unpaid, and on
    // a busy machine some of those are still open when it runs.
    const token = 'TTL-ONLY';
    const { catalog } = stack.operator;
    await catalog.upsert(
      { ...(await catalog.getProduct(MUG))!, purchaseToken: token, onHand: 3 },
      { setStock: true },
    );
    const before = await stack.product(token);
    const order = await invoiced('Never Paid', token);
    clockOffsetMs = 901_000;

    await stack.reconcile();

    const expired = await orderById(order.orderId);
    expect(expired?.status).toBe('CANCELED');
    expect(expired?.history.at(-1)?.reason).toBe('invoice expired unpaid');
    expect(stack.sandbox!.invoices.get(order.invoiceReference!)?.status).toBe('CANCELED');
    expect(
      stack
        .sandbox!.callsTo('cancelInvoice')
        .some((call) => call.invoiceReference === order.invoiceReference),
    ).toBe(true);
    expect((await stack.product(token)).available).toBe(before.available);
  });

  it('commits instead of cancelling when the shopper pays while the invoice is being withdrawn (result 50)', async () => {
    const order = await invoiced('Last Second Payer');
    clockOffsetMs = 901_000;
    stack.sandbox!.onNextCall('cancelInvoice', () =>
      stack.sandbox!.pay(order.invoiceReference!, { notify: false }),
    );

    await stack.reconcile();

    const paid = await orderById(order.orderId);
    expect(paid?.status).toBe('PAID');
    expect(paid?.ersReference).toBe(stack.sandbox!.invoices.get(order.invoiceReference!)?.ersReference);
  });

  it('settles a payment Glase reversed because no one asked within the deadline', async () => {
    const before = await stack.product(MUG);
    const order = await invoiced('Lost Notification');
    await stack.sandbox!.pay(order.invoiceReference!, { notify: false });
    // The notification was lost and Glase's 20 s pass: it reverses the payment.
    stack.sandbox!.reverseUnasked();
    expect(stack.sandbox!.invoices.get(order.invoiceReference!)?.reversed).toBe(true);

    await stack.reconcile();

    expect((await orderById(order.orderId))?.status).toBe('CANCELED');
    expect((await stack.product(MUG)).available).toBe(before.available);
  });
});
