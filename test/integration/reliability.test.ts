import { callerToken } from '../../lambda/checkout/model/caller-auth.js';
import { signOrderId } from '../../lambda/checkout/model/notification-signature.js';
import { LOCAL_SECRETS } from '../../lambda/wiring/local-profile.js';
import type { Ports } from '../../local/stack.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { failingWrites, orderOf } from '../support/in-memory.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';
import { type StallingProxy, startStallingProxy } from '../support/tcp-proxy.js';

const SECRETS = {
  terminalId: 'reliability-terminal',
  terminalPassword: 'Pw-7c1e9-never-in-logs',
  authSecret: 'Auth-2b8f4-never-in-logs',
  signingKey: 'Sign-91d3a-never-in-logs-0123456789',
  urlKey: 'UrlKey-5e0aa-never-in-logs-0123456789',
};
const body = (clientName: string, purchaseToken = '29834231890234') => ({
  ...glaseSampleBody,
  purchaseToken,
  clientName,
});

describe('flash sale: 100 shoppers, 10 units', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('sells exactly the stock: 10 INVOICED, 90 sold out, stock 0, nothing half-written', async () => {
    const token = 'JKT-RAIN-L-NAVY';
    await stack.operator.catalog.adjustStock(token, { set: 10 });

    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, index) => stack.purchase(body(`Shopper ${index}`, token))),
    );

    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 409)).toHaveLength(90);
    expect(
      answers
        .filter((answer) => answer.status === 409)
        .every((answer) => answer.json.error.code === 'SOLD_OUT'),
    ).toBe(true);
    const orders = (await stack.orders()).filter((order) => order.purchaseToken === token);
    expect(orders.map((order) => order.status)).toEqual(Array(10).fill('INVOICED'));
    expect(new Set(orders.map((order) => order.invoiceReference)).size).toBe(10);
    expect((await stack.product(token)).available).toBe(0);
    expect(stack.sandbox!.callsTo('sendInvoice')).toHaveLength(10);
  });
});

describe('Glase faults: a clear error, the order FAILED, the unit back, no secret in any log line', () => {
  let stack: TestStack;
  const logger = new CapturingLogger();
  beforeAll(async () => {
    stack = await startTestStack({
      environment: {
        GLASE_TERMINAL_ID: SECRETS.terminalId,
        GLASE_TERMINAL_PASSWORD: SECRETS.terminalPassword,
        GLASE_AUTH_SECRET: SECRETS.authSecret,
        NOTIFICATION_SIGNING_KEY: SECRETS.signingKey,
        CREATE_PURCHASE_URL_KEY: SECRETS.urlKey,
        CALLER_AUTH: 'token',
        GLASE_TIMEOUT_MS: '1000',
      },
      wiring: { logger },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  const authenticated = async (payload: Record<string, unknown>) => {
    return stack.purchase(payload, { 'X-Auth-Token': callerToken('local-shop', SECRETS.authSecret) });
  };

  it.each([
    // Past the client's 1 s and the twice-as-long patience it may give when time allows.
    ['slow beyond the client timeout', { kind: 'delay', delayMs: 3000 }, 503],
    ['HTTP 500', { kind: 'http500' }, 502],
    ['a SOAP Fault', { kind: 'fault' }, 502],
    ['a reset connection', { kind: 'reset' }, 503],
    ['a truncated body', { kind: 'truncated' }, 502],
    ['a body that is not XML', { kind: 'garbage' }, 502],
    ['result 20 AUTHENTICATION_FAILED', { kind: 'result', resultCode: 20 }, 502],
    ['result 49 INVALID_INVOICE_DATA', { kind: 'result', resultCode: 49 }, 502],
    ['result 90 SYSTEM_ERROR', { kind: 'result', resultCode: 90 }, 503],
    ['result 94 SERVICE_UNAVAILABLE', { kind: 'result', resultCode: 94 }, 503],
  ] as const)('%s', async (name, fault, status) => {
    const before = await stack.product('29834231890234');
    stack.sandbox!.injectFault({ operation: 'sendInvoice', ...fault });

    const answer = await authenticated(body(`Fault ${name}`));

    expect(answer.status).toBe(status);
    expect(answer.json.error.message).not.toMatch(/Error:|\n\s+at |Exception|Table|dynamo/i);
    const orders = (await stack.orders()).filter((order) => order.customer.clientName === `Fault ${name}`);
    expect(orders.map((order) => order.status)).toEqual(['FAILED']);
    expect((await stack.product('29834231890234')).available).toBe(before.available);
  });

  it('wrote log lines for those failures, none of which holds a secret', async () => {
    expect(logger.lines.length).toBeGreaterThanOrEqual(10);
    expect(logger.lines.some((line) => line.includes('"level":"ERROR"'))).toBe(true);
    // The credential Glase sends is a secret too: a log line with request headers would hold it.
    const sent = callerToken('local-shop', SECRETS.authSecret);
    for (const secret of [...Object.values(SECRETS), sent]) {
      expect(logger.lines.filter((line) => line.includes(secret))).toEqual([]);
    }
    // The sandbox did receive the password: the check above looks in the right kind of place.
    expect(stack.sandbox!.calls.some((call) => call.body.includes(SECRETS.terminalPassword))).toBe(true);
  });
});

describe('crash points: the reconciler settles what a dead createPurchase left', () => {
  let stack: TestStack;
  let clockOffsetMs = 0;
  const crash = { beforeInvoice: false, afterInvoice: false };
  beforeAll(async () => {
    stack = await startTestStack({
      wiring: { clock: { now: () => new Date(Date.now() + clockOffsetMs) } },
      ports: (runtime: Ports): Ports => ({
        ...runtime,
        // A process that dies mid-request writes nothing more and withdraws nothing.
        glase: {
          ...bind(runtime.glase),
          sendInvoice: async (invoice) => {
            if (crash.beforeInvoice) throw new Error('process died before sendInvoice');
            return runtime.glase.sendInvoice(invoice);
          },
          cancelInvoice: async (orderId, reference) => {
            if (crash.afterInvoice) throw new Error('process died');
            return runtime.glase.cancelInvoice(orderId, reference);
          },
        },
        store: failingWrites(
          runtime.store,
          (change) =>
            (crash.beforeInvoice && orderOf(change)?.status === 'FAILED') ||
            (crash.afterInvoice && orderOf(change)?.status === 'INVOICED'),
          new Error('process died before the write'),
        ),
      }),
    });
  });
  afterAll(async () => {
    await stack.close();
  });
  afterEach(() => {
    crash.beforeInvoice = false;
    crash.afterInvoice = false;
    clockOffsetMs = 0;
  });

  it('after reserving, before sendInvoice: the order ends FAILED and the unit is back', async () => {
    const before = await stack.product('29834231890234');
    crash.beforeInvoice = true;
    const answer = await stack.purchase(body('Crash Before Invoice'));
    crash.beforeInvoice = false;
    expect(answer.status).toBe(500);
    expect(answer.json.error).toEqual({ code: 'INTERNAL', message: 'internal error' });
    const [stuck] = (await stack.orders()).filter(
      (order) => order.customer.clientName === 'Crash Before Invoice',
    );
    expect(stuck?.status).toBe('RESERVED');
    expect((await stack.product('29834231890234')).available).toBe(before.available - 1);

    await stack.reconcile(); // too early: a reservation gets a grace period
    expect((await stack.orders()).find((order) => order.orderId === stuck?.orderId)?.status).toBe('RESERVED');
    clockOffsetMs = 3 * 60_000;
    const report = await stack.reconcile();

    expect(report.abandonedReservations).toBeGreaterThanOrEqual(1);
    expect((await stack.orders()).find((order) => order.orderId === stuck?.orderId)?.status).toBe('FAILED');
    expect((await stack.product('29834231890234')).available).toBe(before.available);
  });

  it('after sendInvoice, before recording it: FAILED, unit back, and a payment of the orphan invoice is reversed', async () => {
    const before = await stack.product('29834231890234');
    crash.afterInvoice = true;
    const answer = await stack.purchase(body('Crash After Invoice'));
    crash.afterInvoice = false;
    // Here the "process" lived on to answer: try again (a real crash answers nothing at all).
    expect(answer.status).toBe(503);
    const [stuck] = (await stack.orders()).filter(
      (order) => order.customer.clientName === 'Crash After Invoice',
    );
    expect(stuck?.status).toBe('RESERVED');
    expect(stuck?.invoiceReference).toBeUndefined();
    const orphan = [...stack.sandbox!.invoices.values()].find(
      (invoice) => invoice.clientInvoiceId === stuck?.orderId,
    );
    expect(orphan?.status).toBe('ISSUED');

    clockOffsetMs = 3 * 60_000;
    await stack.reconcile();
    expect((await stack.orders()).find((order) => order.orderId === stuck?.orderId)?.status).toBe('FAILED');
    expect((await stack.product('29834231890234')).available).toBe(before.available);

    // The shopper pays the invoice we never recorded: we do not commit it, so Glase reverses it.
    const paid = await stack.sandbox!.pay(orphan!.invoiceReference);
    expect(paid.notification).toEqual({ statusCode: 200, ms: expect.any(Number) });
    const notified = await stack.post(
      `/webshop/notify/${stuck?.orderId}?sig=${signOrderId(stuck?.orderId ?? '', LOCAL_SECRETS.signingKey)}`,
      '',
    );
    expect(notified.json.status).toBe('FAILED');
    // Nobody asked Glase about it: when its 20 s run out, it is reversed.
    stack.sandbox!.reverseUnasked();
    expect(stack.sandbox!.invoices.get(orphan!.invoiceReference)).toMatchObject({
      status: 'CANCELED',
      reversed: true,
    });
  });
});

describe('recording the invoice fails, but the process lives', () => {
  let stack: TestStack;
  let failInvoicedWrite = true;
  beforeAll(async () => {
    stack = await startTestStack({
      ports: (runtime: Ports): Ports => ({
        ...runtime,
        store: failingWrites(
          runtime.store,
          (change) => failInvoicedWrite && orderOf(change)?.status === 'INVOICED',
        ),
      }),
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('withdraws the invoice and gives the unit back at once, without waiting for the reconciler', async () => {
    const before = await stack.product('29834231890234');
    const answer = await stack.purchase(body('Unrecorded Invoice'));
    failInvoicedWrite = false;

    // Undone, so the buyer may simply try again: 503 with Retry-After, never a 500.
    expect([answer.status, answer.json.error.code, answer.headers['retry-after']]).toEqual([
      503,
      'SERVICE_UNAVAILABLE',
      '1',
    ]);
    const [order] = (await stack.orders()).filter((o) => o.customer.clientName === 'Unrecorded Invoice');
    expect(order?.status).toBe('FAILED');
    expect(order?.failureReason).toBe('invoiced but not recorded; invoice withdrawn');
    const invoice = [...stack.sandbox!.invoices.values()].find((i) => i.clientInvoiceId === order?.orderId);
    expect(invoice?.status).toBe('CANCELED');
    expect((await stack.product('29834231890234')).available).toBe(before.available);
  });
});

describe('idempotency under concurrency', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('the same body 20 times at once: one order, one sendInvoice, the rest the same answer or 503 in progress', async () => {
    const same = body('Impatient Shopper');
    const answers = await Promise.all(Array.from({ length: 20 }, () => stack.purchase(same)));

    const orders = (await stack.orders()).filter(
      (order) => order.customer.clientName === 'Impatient Shopper',
    );
    expect(orders).toHaveLength(1);
    expect(stack.sandbox!.callsTo('sendInvoice')).toHaveLength(1);
    const reference = orders[0]?.invoiceReference;
    for (const answer of answers) {
      if (answer.status === 200) expect(answer.json).toEqual({ invoiceReferenceId: reference });
      else {
        expect([answer.status, answer.json.error.code]).toEqual([503, 'REQUEST_IN_PROGRESS']);
        // Until the first attempt's lock ends (the function's 15 s at most): then it has answered.
        expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(15);
      }
    }
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(1);
  });
});

/** The methods of a class instance as own properties, bound, so a test can override a few. */
function bind<T extends object>(target: T): T {
  const bound: Record<string, unknown> = {};
  let prototype = Object.getPrototypeOf(target);
  while (prototype && prototype !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const value = (target as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof value === 'function' && !(name in bound))
        bound[name] = value.bind(target);
    }
    prototype = Object.getPrototypeOf(prototype);
  }
  return bound as T;
}

describe('DynamoDB stops answering', () => {
  let stack: TestStack;
  let proxy: StallingProxy;
  beforeAll(async () => {
    proxy = await startStallingProxy(process.env.TEST_DYNAMODB_ENDPOINT as string);
    // Each DynamoDB attempt may take 1 s here (2 s deployed): a stall is found within the SDK's three.
    stack = await startTestStack({
      dynamodbEndpoint: proxy.url,
      environment: { DYNAMODB_ATTEMPT_TIMEOUT_MS: '1000' },
    });
  });
  afterAll(async () => {
    await stack.close();
    await proxy.close();
  });

  it('a purchase is answered 503 SERVICE_UNAVAILABLE with Retry-After, never 500, and nothing is left half done', async () => {
    const before = await stack.product('29834231890234');
    const orders = (await stack.orders()).length;
    proxy.stall();
    const answer = await stack.purchase(body('Stalled Store'));
    proxy.resume();
    expect([answer.status, answer.json.error.code, answer.headers['retry-after']]).toEqual([
      503,
      'SERVICE_UNAVAILABLE',
      '1',
    ]);
    expect(answer.json.error.message).toBe(
      'the shop could not reach its database in time; nothing was kept; try again',
    );
    expect(stack.sandbox?.callsTo('sendInvoice')).toHaveLength(0);
    // Only the first read was stalled: the purchase stopped before any write, so nothing can land later.
    expect((await stack.orders()).length).toBe(orders);
    expect(await stack.product('29834231890234')).toEqual(before);
    // And the retry the answer invited goes through.
    expect((await stack.purchase(body('Stalled Store'))).status).toBe(200);
  });
});
