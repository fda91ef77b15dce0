import fc from 'fast-check';
import { signOrderId } from '../../lambda/checkout/model/notification-signature.js';
import { LOCAL_SECRETS } from '../../lambda/wiring/local-profile.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

/** What an answer may never contain: internals, stack traces, our tables, secrets. */
const LEAKS =
  /\bat .+:\d+|Error:|Exception|DynamoDB|ConditionalCheck|glase-checkout-|t[0-9a-f]{8}-|zod|12345678|local-caller-auth-secret|local-notification-signing|local-createPurchase-url-key/;

describe('hostile input', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  async function snapshot() {
    const orders = await stack.orders();
    return {
      orders: orders.length,
      versions: orders.map((order) => `${order.orderId}:${order.version}`).sort(),
      stock: await stack.product('29834231890234'),
      idempotency: await stack.idempotencyRecords(),
      glaseCalls: stack.sandbox!.calls.length,
    };
  }
  type Snapshot = Awaited<ReturnType<typeof snapshot>>;

  /**
   * Never a 5xx, never internals in the body. A refusal is our JSON error and changes nothing;
   * an acceptance is exactly one invoiced order, with the reference it answered.
   */
  async function expectSafeAnswer(response: Response, before: Snapshot) {
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    expect(text).not.toMatch(LEAKS);
    if (response.status >= 400) {
      expect(JSON.parse(text)).toEqual({
        error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
      });
      expect(await snapshot()).toEqual(before);
      return;
    }
    expect(response.status).toBe(200);
    const { invoiceReferenceId } = JSON.parse(text) as { invoiceReferenceId: string };
    expect(text).toBe(JSON.stringify({ invoiceReferenceId }));
    const after = await snapshot();
    expect(after.orders).toBe(before.orders + 1);
    const created = (await stack.orders()).filter((order) => order.invoiceReference === invoiceReferenceId);
    expect(created.map((order) => order.status)).toEqual(['INVOICED']);
  }

  const post = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const refused = async (body: unknown) => {
    const before = await snapshot();
    const response = await post(
      '/webshop/createPurchase',
      typeof body === 'string' ? body : JSON.stringify(body),
    );
    const answer = (await response.clone().json()) as {
      error?: { code: string; fields?: { field: string }[] };
    };
    await expectSafeAnswer(response, before);
    return {
      status: response.status,
      code: answer.error?.code,
      fields: answer.error?.fields?.map((issue) => issue.field),
    };
  };

  const limits = { clientName: 100, street: 200, city: 100, country: 100, state: 100, zip: 20, email: 254 };
  it.each(Object.entries(limits))(
    '%s longer than %i characters is a 400 naming it, and changes nothing',
    async (field, max) => {
      const tooLong = field === 'email' ? `${'a'.repeat(max)}@shop.example` : 'x'.repeat(max + 1);
      expect(await refused({ ...glaseSampleBody, [field]: tooLong })).toEqual({
        status: 400,
        code: 'INVALID_INPUT',
        fields: [field],
      });
    },
  );

  it.each([
    ['a control character', '\u001b[31m'],
    ['a right-to-left override', 'evil\u202Egnp.exe'],
    ['a zero-width space', 'Ann\u200BSmith'],
    ['a line separator', 'Storgatan 1\u2028Floor 2'],
    ['a lone surrogate', '\uD800'],
  ])('%s in a customer field is a 400 naming it, and changes nothing', async (_name, value) => {
    for (const field of ['clientName', 'street', 'city']) {
      expect(await refused({ ...glaseSampleBody, [field]: value })).toEqual({
        status: 400,
        code: 'INVALID_INPUT',
        fields: [field],
      });
    }
  });

  it('a body whose bytes are not UTF-8 is a 400, never silently "repaired"', async () => {
    const before = await snapshot();
    const latin1 = Buffer.from(JSON.stringify({ ...glaseSampleBody, clientName: 'J\xf6rgen' }), 'latin1');
    const response = await fetch(`${stack.apiUrl}/webshop/createPurchase`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: latin1,
    });
    expect([
      response.status,
      ((await response.clone().json()) as { error: { code: string } }).error.code,
    ]).toEqual([400, 'INVALID_ENCODING']);
    await expectSafeAnswer(response, before);
  });

  it('media types are matched case-insensitively: Application/JSON is JSON', async () => {
    const before = await snapshot();
    const body = JSON.stringify({ ...glaseSampleBody, clientName: 'Capital Letters' });
    const response = await post('/webshop/createPurchase', body, 'Application/JSON; Charset=UTF-8');
    expect(response.status).toBe(200);
    await expectSafeAnswer(response, before);
  });

  const nasty = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({
      unit: fc.constantFrom('\u0000', '\u0007', '\n', '\r', '\u001b', '\u202e', '<', '&', '"'),
      maxLength: 50,
    }),
    fc.string({ minLength: 3000, maxLength: 6000 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  );

  it('createPurchase: arbitrary JSON never gets a 5xx, a write on a 4xx, or an echo of internals', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
        const before = await snapshot();
        await expectSafeAnswer(await post('/webshop/createPurchase', JSON.stringify(value)), before);
      }),
      { numRuns: 60 },
    );
  });

  it('createPurchase: fields of a real body replaced by wrong types, huge strings, unicode and control characters', async () => {
    const fields = Object.keys({ ...glaseSampleBody, msisdn: '' });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        nasty,
        fc.constantFrom(...fields),
        nasty,
        async (a, x, b, y) => {
          const before = await snapshot();
          const body = { ...glaseSampleBody, clientName: `Fuzz ${Math.random()}`, [a]: x, [b]: y };
          await expectSafeAnswer(await post('/webshop/createPurchase', JSON.stringify(body)), before);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('createPurchase: prototype-pollution keys, sent as the raw JSON an attacker writes, are inert', async () => {
    const sample = JSON.stringify(glaseSampleBody).slice(1, -1);
    const payloads = [
      `{"__proto__": {"purchaseToken": "29834231890234", "isAdmin": true}}`,
      `{"constructor": {"prototype": {"isAdmin": true}}, "purchaseToken": "29834231890234"}`,
      `{"purchaseToken": {"__proto__": "x"}, "clientName": "a"}`,
      `{${sample}, "__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": 1}}}`,
    ];
    for (const payload of payloads) {
      expect(payload).toMatch(/__proto__|constructor/);
      const before = await snapshot();
      await expectSafeAnswer(await post('/webshop/createPurchase', payload), before);
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('createPurchase: a body over the cap is refused before it is parsed', async () => {
    const before = await snapshot();
    const response = await post('/webshop/createPurchase', `{"broken json ${'x'.repeat(20_000)}`);
    expect(response.status).toBe(413);
    expect(((await response.clone().json()) as { error: { code: string } }).error.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    await expectSafeAnswer(response, before);
  });

  it('notification: forged signatures for orders that exist, and for arbitrary ids, never reach Glase or change an order', async () => {
    const invoiced = await stack.purchase({ ...glaseSampleBody, clientName: 'Notification Target' });
    expect(invoiced.status).toBe(200);
    const target = (await stack.orders()).find(
      (order) => order.invoiceReference === invoiced.json.invoiceReferenceId,
    )!;
    // Paid at Glase: a notification that got through would commit it.
    await stack.sandbox!.pay(target.invoiceReference!, { notify: false });
    const realSignature = signOrderId(target.orderId, LOCAL_SECRETS.signingKey);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant(target.orderId),
          fc.string({ minLength: 1 }),
          fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
        ),
        fc.option(fc.string(), { nil: undefined }).filter((sig) => sig !== realSignature),
        fc.oneof(
          fc.constant(''),
          fc.string({ maxLength: 2000 }),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        async (orderId, sig, body) => {
          const before = await snapshot();
          const query = sig === undefined ? '' : `?sig=${encodeURIComponent(sig)}`;
          // "." and ".." would be resolved away by the URL, not sent: encode them so they are.
          const segment = encodeURIComponent(orderId).replace(/\./g, '%2E');
          const response = await post(`/webshop/notify/${segment}${query}`, body, 'text/plain');
          await expectSafeAnswer(response, before);
          expect(response.status).not.toBe(200);
        },
      ),
      { numRuns: 80 },
    );
    expect((await stack.orders()).find((order) => order.orderId === target.orderId)?.status).toBe('INVOICED');
  });
});
