import { request as httpRequest } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { callerToken } from '../../lambda/checkout/model/caller-auth.js';
import { signOrderId } from '../../lambda/checkout/model/notification-signature.js';
import { LOCAL_SECRETS } from '../../local/stack.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

const MUG = '29834231890234';
const soap = new XMLParser({ removeNSPrefix: true, parseTagValue: false });

describe('createPurchase against DynamoDB Local and the Glase sandbox', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it("answers Glase's sample curl with an invoiceReferenceId, an INVOICED order and one unit reserved", async () => {
    const before = await stack.product(MUG);
    const response = await stack.purchase(glaseSampleBody);

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ invoiceReferenceId: expect.stringMatching(/^\d+$/) });
    const orders = (await stack.orders()).filter(
      (order) => order.invoiceReference === response.json.invoiceReferenceId,
    );
    expect(orders).toHaveLength(1);
    const [order] = orders;
    expect(order).toMatchObject({
      status: 'INVOICED',
      purchaseToken: MUG,
      totalMinor: before.unitPriceMinor,
      currency: 'SEK',
      invoiceVersion: 0,
      customer: { clientName: 'John Smith', email: 'very.happy@shopping.com', msisdn: '', state: '' },
    });
    expect(order?.history.map((change) => change.status)).toEqual(['RESERVED', 'INVOICED']);
    expect((await stack.product(MUG)).available).toBe(before.available - 1);

    // What Glase received: a well-formed sendInvoice for this order and this price.
    const call = stack.sandbox?.callsTo('sendInvoice').at(-1);
    const sent = soap.parse(call?.body ?? '').Envelope.Body.sendInvoice;
    expect(sent.context.clientReference).toBe(order?.orderId);
    expect(sent.invoice.clientInvoiceId).toBe(order?.orderId);
    expect(sent.invoice.totalAmount).toEqual({ value: '149.00', currency: 'SEK' });
    const url = new URL(sent.invoice.notificationUrl);
    expect(url.pathname).toBe(`/webshop/notify/${order?.orderId}`);
    expect(url.searchParams.get('sig')).toBe(signOrderId(order?.orderId ?? '', LOCAL_SECRETS.signingKey));
  });

  it('answers a retried body with the same invoiceReferenceId and records nothing new', async () => {
    const body = { ...glaseSampleBody, clientName: 'Retry Person' };
    const first = await stack.purchase(body);
    const ordersAfterFirst = (await stack.orders()).length;
    const stockAfterFirst = (await stack.product(MUG)).available;
    const invoicesAfterFirst = stack.sandbox?.callsTo('sendInvoice').length;

    const second = await stack.purchase(body);

    expect(first.status).toBe(200);
    // The same answer, headers included — but for the Date header, which a second can separate
    // (it did, on a loaded machine).
    const undated = ({ headers: { date: _date, ...headers }, ...answer }: typeof first) => ({
      ...answer,
      headers,
    });
    expect(undated(second)).toEqual(undated(first));
    expect(await stack.orders()).toHaveLength(ordersAfterFirst);
    expect((await stack.product(MUG)).available).toBe(stockAfterFirst);
    expect(stack.sandbox?.callsTo('sendInvoice')).toHaveLength(invoicesAfterFirst ?? -1);
  });

  it('uses the Idempotency-Key header, when given, as the retry key', async () => {
    const first = await stack.purchase(
      { ...glaseSampleBody, clientName: 'Keyed' },
      { 'Idempotency-Key': 'k-1' },
    );
    const again = await stack.purchase(
      { ...glaseSampleBody, clientName: 'Keyed' },
      { 'Idempotency-Key': 'k-1' },
    );
    const other = await stack.purchase(
      { ...glaseSampleBody, clientName: 'Keyed' },
      { 'Idempotency-Key': 'k-2' },
    );
    const misuse = await stack.purchase(
      { ...glaseSampleBody, clientName: 'Someone else' },
      { 'Idempotency-Key': 'k-1' },
    );

    expect(again.json).toEqual(first.json);
    expect(other.status).toBe(200);
    expect(other.json.invoiceReferenceId).not.toBe(first.json.invoiceReferenceId);
    expect(misuse.status).toBe(422);
    expect(misuse.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The refused misuse must not erase the original's record: a retry still gets its answer.
    const retry = await stack.purchase(
      { ...glaseSampleBody, clientName: 'Keyed' },
      { 'Idempotency-Key': 'k-1' },
    );
    expect(retry.json).toEqual(first.json);
  });

  it.each([
    ['a space inside', 'k 1'],
    ['more than 200 characters', 'k'.repeat(201)],
    ['a character outside printable ASCII', 'k\u00e51'],
    ['empty', ''],
  ])('refuses an Idempotency-Key with %s: 400 naming the header, and nothing written', async (_name, key) => {
    const orders = (await stack.orders()).length;
    const idempotency = await stack.idempotencyRecords();
    const stock = await stack.product(MUG);
    const invoices = stack.sandbox?.callsTo('sendInvoice').length;
    // Node's fetch refuses a header value it cannot send; the raw request goes through node:http.
    const response = await rawPost(stack.apiUrl, '/webshop/createPurchase', glaseSampleBody, {
      'Idempotency-Key': key,
    });
    expect([response.status, response.json.error.code, response.json.error.fields]).toEqual([
      400,
      'INVALID_INPUT',
      [{ field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' }],
    ]);
    expect((await stack.orders()).length).toBe(orders);
    expect(await stack.idempotencyRecords()).toBe(idempotency);
    expect(await stack.product(MUG)).toEqual(stock);
    expect(stack.sandbox?.callsTo('sendInvoice').length).toBe(invoices);
  });

  it('answers 404 for an unknown purchaseToken and writes nothing', async () => {
    const orders = (await stack.orders()).length;
    const idempotency = await stack.idempotencyRecords();
    const response = await stack.purchase({ ...glaseSampleBody, purchaseToken: 'NO-SUCH-TOKEN' });

    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      error: { code: 'UNKNOWN_PURCHASE_TOKEN', message: 'no product has purchaseToken NO-SUCH-TOKEN' },
    });
    expect(await stack.orders()).toHaveLength(orders);
    expect(await stack.idempotencyRecords()).toBe(idempotency);
  });

  it('answers 409 for a sold-out product and writes nothing', async () => {
    const orders = (await stack.orders()).length;
    const response = await stack.purchase({ ...glaseSampleBody, purchaseToken: 'JKT-RAIN-M-YELLOW' });

    expect(response.status).toBe(409);
    expect(response.json.error.code).toBe('SOLD_OUT');
    expect(await stack.orders()).toHaveLength(orders);
    expect((await stack.product('JKT-RAIN-M-YELLOW')).available).toBe(0);
  });

  it('answers 400 naming the fields, and writes nothing, for an invalid body', async () => {
    const orders = (await stack.orders()).length;
    const idempotency = await stack.idempotencyRecords();
    const response = await stack.purchase({ ...glaseSampleBody, email: 'nope', zip: '' });

    expect(response.status).toBe(400);
    expect(response.json.error.fields).toEqual([
      { field: 'zip', message: 'must not be empty' },
      { field: 'email', message: 'must be an e-mail address' },
    ]);
    expect(await stack.orders()).toHaveLength(orders);
    expect(await stack.idempotencyRecords()).toBe(idempotency);
  });

  it.each([
    ['malformed JSON', '{"purchaseToken": ', { 'content-type': 'application/json' }, 400, 'INVALID_JSON'],
    [
      'a form body',
      'purchaseToken=1',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an empty body', '', { 'content-type': 'application/json' }, 400, 'INVALID_JSON'],
    ['a JSON array', '[]', { 'content-type': 'application/json' }, 400, 'INVALID_INPUT'],
  ])('refuses %s with a clear 4xx', async (_name, body, headers, status, code) => {
    const orders = (await stack.orders()).length;
    const response = await fetch(`${stack.apiUrl}/webshop/createPurchase`, { method: 'POST', headers, body });
    const json = (await response.json()) as { error: { code: string } };

    expect(response.status).toBe(status);
    expect(json.error.code).toBe(code);
    expect(await stack.orders()).toHaveLength(orders);
  });

  it('refuses a body over the size cap before parsing it', async () => {
    const response = await stack.purchase({ ...glaseSampleBody, clientName: 'x'.repeat(20_000) });
    expect(response.status).toBe(413);
    expect(response.json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('sends a well-formed envelope for a customer whose name is markup', async () => {
    const response = await stack.purchase({ ...glaseSampleBody, clientName: `Ann <O'Neil> & Co` });
    expect(response.status).toBe(200);
    const order = (await stack.orders()).find(
      (candidate) => candidate.invoiceReference === response.json.invoiceReferenceId,
    );
    expect(order?.customer.clientName).toBe(`Ann <O'Neil> & Co`);
  });
});

describe('createPurchase when Glase fails', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ environment: { GLASE_TIMEOUT_MS: '1500' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each([
    ['answers result 94 SERVICE_UNAVAILABLE', { kind: 'result', resultCode: 94 }, 503, 'GLASE_REJECTED'],
    ['answers result 49 INVALID_INVOICE_DATA', { kind: 'result', resultCode: 49 }, 502, 'GLASE_REJECTED'],
    ['answers garbage', { kind: 'garbage' }, 502, 'GLASE_UNAVAILABLE'],
    ['answers HTTP 500', { kind: 'http500' }, 502, 'GLASE_UNAVAILABLE'],
    ['answers a SOAP Fault', { kind: 'fault' }, 502, 'GLASE_UNAVAILABLE'],
    ['answers a truncated body', { kind: 'truncated' }, 502, 'GLASE_UNAVAILABLE'],
    ['resets the connection', { kind: 'reset' }, 503, 'GLASE_UNAVAILABLE'],
    // Past the 1.5 s timeout and the twice-as-long patience it may give when time allows.
    ['is slower than the timeout', { kind: 'delay', delayMs: 4000 }, 503, 'GLASE_UNAVAILABLE'],
  ] as const)('when Glase %s: an error, order FAILED, unit back', async (_name, fault, status, code) => {
    const before = await stack.product(MUG);
    stack.sandbox?.injectFault({ operation: 'sendInvoice', ...fault });
    const body = {
      ...glaseSampleBody,
      clientName: `Fault ${fault.kind} ${'resultCode' in fault ? fault.resultCode : 0}`,
    };

    const response = await stack.purchase(body);

    expect(response.status).toBe(status);
    expect(response.json.error.code).toBe(code);
    expect(JSON.stringify(response.json)).not.toContain(LOCAL_SECRETS.terminalPassword);
    const orders = (await stack.orders()).filter((order) => order.customer.clientName === body.clientName);
    expect(orders.map((order) => order.status)).toEqual(['FAILED']);
    expect(orders[0]?.history.map((change) => change.status)).toEqual(['RESERVED', 'FAILED']);
    expect((await stack.product(MUG)).available).toBe(before.available);

    // The failure is not remembered as the answer: once Glase is well, the retry succeeds.
    const retry = await stack.purchase(body);
    expect(retry.status).toBe(200);
  });
});

describe('createPurchase when Glase is down', () => {
  it('answers 503 and leaves the order FAILED with its unit back', async () => {
    const stack = await startTestStack({ glaseApiUrl: 'http://127.0.0.1:9/soap' });
    try {
      const before = await stack.product(MUG);
      const response = await stack.purchase();
      expect(response.status).toBe(503);
      expect((await stack.orders()).map((order) => order.status)).toEqual(['FAILED']);
      expect((await stack.product(MUG)).available).toBe(before.available);
    } finally {
      await stack.close();
    }
  });
});

describe('createPurchase with CALLER_AUTH=token', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ environment: { CALLER_AUTH: 'token' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { 'X-Auth-Token': callerToken('local-shop', 'wrong secret') }],
    ['a token of another length', { 'X-Auth-Token': 'abc' }],
  ])('answers 401 and writes nothing for %s', async (_name, headers) => {
    const response = await stack.purchase(glaseSampleBody, headers);
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('NOT_AUTHENTICATED');
    expect(await stack.orders()).toHaveLength(0);
    expect(await stack.idempotencyRecords()).toBe(0);
  });

  it('accepts hex SHA-256 of webshopId + secret', async () => {
    const response = await stack.purchase(glaseSampleBody, {
      'x-auth-token': callerToken('local-shop', LOCAL_SECRETS.authSecret),
    });
    expect(response.status).toBe(200);
  });
});

/** A POST through node:http, which sends any header value as bytes (fetch refuses some). */
function rawPost(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const request = httpRequest(
      `${base}${path}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    // Set raw so a non-ASCII value goes as its UTF-8 bytes, as a hostile client would send it.
    for (const [name, value] of Object.entries(headers))
      request.setHeader(name, Buffer.from(value, 'utf8').toString('latin1'));
    request.on('error', reject);
    request.end(text);
  });
}
