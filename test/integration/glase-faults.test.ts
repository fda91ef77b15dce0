import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signOrderId } from '../../lambda/checkout/model/notification-signature.js';
import type { Order } from '../../lambda/checkout/model/order.js';
import type { FaultSpec } from '../../local/glase-sandbox/index.js';
import { LOCAL_SECRETS } from '../../local/stack.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

const MUG = '29834231890234';

async function invoiced(stack: TestStack, clientName: string): Promise<Order> {
  const response = await stack.purchase({ ...glaseSampleBody, clientName });
  expect(response.status).toBe(200);
  const order = (await stack.orders()).find(
    (candidate) => candidate.invoiceReference === response.json.invoiceReferenceId,
  );
  if (!order) throw new Error('order not recorded');
  return order;
}
const notify = (stack: TestStack, orderId: string) =>
  stack.post(`/webshop/notify/${orderId}?sig=${signOrderId(orderId, LOCAL_SECRETS.signingKey)}`, '');
const orderById = async (stack: TestStack, orderId: string) =>
  (await stack.orders()).find((order) => order.orderId === orderId);

describe('a Glase blip during the 20-second window does not lose the sale', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Glase's own numbers: 20 s before a reversal; we retry getPaymentStatus for 15 s, 3 s an attempt.
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each([
    ['2 × HTTP 500', { kind: 'http500', times: 2 }, 2],
    ['3 × a body that is not XML', { kind: 'garbage', times: 3 }, 3],
    ['2 × result 94 SERVICE_UNAVAILABLE', { kind: 'result', resultCode: 94, times: 2 }, 2],
    ['one 4 s stall (each attempt waits 3 s)', { kind: 'delay', delayMs: 4000, times: 1 }, 1],
  ] as const)(
    '%s: the order ends PAID, once, and Glase does not reverse it',
    async (name, fault, failures) => {
      const order = await invoiced(stack, `Blip ${name}`);
      const before = await stack.product(MUG);
      stack.sandbox!.injectFault({ operation: 'getPaymentStatus', ...(fault as FaultSpec) });

      const paid = await stack.sandbox!.pay(order.invoiceReference!);

      expect(paid.notification).toEqual({ statusCode: 200, ms: expect.any(Number) });
      const stored = await orderById(stack, order.orderId);
      expect(stored?.status).toBe('PAID');
      expect(stored?.history.filter((change) => change.status === 'PAID')).toHaveLength(1);
      expect((await stack.product(MUG)).sold).toBe((before.sold ?? 0) + 1);
      const calls = stack
        .sandbox!.callsTo('getPaymentStatus')
        .filter((call) => call.invoiceReference === order.invoiceReference);
      expect(calls).toHaveLength(failures + 1);
      expect(paid.statusCheckedAt).toBeDefined(); // the reversal clock stopped
      expect(paid.reversed).toBeUndefined();
      expect(paid.status).toBe('PAID');
    },
  );
});

describe('when Glase stays down or answers something hostile, nothing is committed and no secret leaves', () => {
  let stack: TestStack;
  let elsewhere: Server;
  let elsewhereUrl = '';
  const stolen: string[] = [];
  beforeAll(async () => {
    stack = await startTestStack({
      environment: {
        NOTIFICATION_DEADLINE_MS: '1200',
        GLASE_TIMEOUT_MS: '5000',
        GLASE_STATUS_TIMEOUT_MS: '500',
      },
    });
    elsewhere = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        stolen.push(body);
        response.end();
      });
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/soap`;
  });
  afterAll(async () => {
    await stack.close();
    await new Promise((resolve) => elsewhere.close(resolve));
  });
  afterEach(() => stack.sandbox!.clearFaults());

  it('Glase down past the deadline: 503, the order stays INVOICED, and the reconciler commits it once Glase is back', async () => {
    const order = await invoiced(stack, 'Glase Down');
    stack.sandbox!.injectFault({ operation: 'getPaymentStatus', kind: 'reset', times: 1000 });
    await stack.sandbox!.pay(order.invoiceReference!, { notify: false });

    const response = await notify(stack, order.orderId);

    expect(response.status).toBe(503);
    expect(response.json.error.code).toBe('GLASE_UNAVAILABLE');
    expect((await orderById(stack, order.orderId))?.status).toBe('INVOICED');
    const tries = stack
      .sandbox!.callsTo('getPaymentStatus')
      .filter((call) => call.invoiceReference === order.invoiceReference);
    expect(tries.length).toBeGreaterThan(1); // it did keep trying inside the window
    stack.sandbox!.clearFaults();
    const report = await stack.reconcile();
    expect(report.paid).toBeGreaterThanOrEqual(1);
    expect((await orderById(stack, order.orderId))?.status).toBe('PAID');
  });

  it('a status spoofed as PAID through a DOCTYPE entity is never committed', async () => {
    const order = await invoiced(stack, 'Spoofed Status');
    stack.sandbox!.injectFault({ operation: 'getPaymentStatus', kind: 'entity-spoof', times: 1000 });

    const response = await notify(stack, order.orderId);

    expect(response.status).toBe(502);
    expect((await orderById(stack, order.orderId))?.status).toBe('INVOICED');
  });

  it.each([
    ['a billion-laughs answer', { kind: 'billion-laughs' }],
    ['an entity-spoofed answer', { kind: 'entity-spoof' }],
    ['a 10 MB answer', { kind: 'oversize' }],
    ['a 307 to another host', { kind: 'redirect' }],
  ] as const)(
    'sendInvoice gets %s: 502 Glase unavailable, the order FAILED, the unit back',
    async (name, fault) => {
      const before = await stack.product(MUG);
      stack.sandbox!.injectFault({ operation: 'sendInvoice', location: elsewhereUrl, ...fault });

      const response = await stack.purchase({ ...glaseSampleBody, clientName: `Hostile ${name}` });

      expect([response.status, response.json.error.code]).toEqual([502, 'GLASE_UNAVAILABLE']);
      const orders = (await stack.orders()).filter(
        (order) => order.customer.clientName === `Hostile ${name}`,
      );
      expect(orders.map((order) => order.status)).toEqual(['FAILED']);
      expect((await stack.product(MUG)).available).toBe(before.available);
      expect(stolen).toEqual([]);
    },
  );
});

describe('createPurchase keeps to its time budget: our answer, never a gateway timeout', () => {
  let stack: TestStack;
  const logger = new CapturingLogger();
  beforeAll(async () => {
    // 3 s of function time: far less than sendInvoice's whole 5 s and the 5 s that may follow it.
    stack = await startTestStack({ createPurchaseTimeoutMs: 3_000, wiring: { logger } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('never starts a sendInvoice it could not see through: 503 with Retry-After, Glase not called, nothing held', async () => {
    const before = await stack.product(MUG);
    const orders = (await stack.orders()).length;
    const requests = await stack.idempotencyRecords();
    stack.sandbox!.injectFault({ operation: 'sendInvoice', kind: 'delay', delayMs: 10_000 });

    const response = await stack.purchase({ ...glaseSampleBody, clientName: 'Out Of Time' });

    expect([response.status, response.json.error.code, response.headers['retry-after']]).toEqual([
      503,
      'SERVICE_UNAVAILABLE',
      '1',
    ]);
    expect(stack.sandbox!.callsTo('sendInvoice')).toHaveLength(0);
    expect((await stack.orders()).length).toBe(orders);
    expect(await stack.idempotencyRecords()).toBe(requests);
    expect(await stack.product(MUG)).toEqual(before);
    // The operator can tell why: logged as a warning (a retryable answer, counted on the dashboard).
    const warnings = logger.lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'WARN');
    expect(warnings.map((line) => [line.message, line.code, line.error])).toEqual([
      [
        'request deferred',
        'SERVICE_UNAVAILABLE',
        'too little of the function time left to send an invoice and answer',
      ],
    ]);
    stack.sandbox!.clearFaults();
  });
});
