import fc from 'fast-check';
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
    return {
      orders: (await stack.orders()).length,
      stock: (await stack.product('29834231890234')).available,
      idempotency: await stack.idempotencyRecords(),
      glaseCalls: stack.sandbox!.calls.length,
    };
  }

  async function expectSafeAnswer(response: Response, before: Awaited<ReturnType<typeof snapshot>>) {
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    expect(text).not.toMatch(LEAKS);
    if (response.status >= 400) {
      expect(JSON.parse(text)).toEqual({ error: expect.objectContaining({ code: expect.any(String) }) });
      expect(await snapshot()).toEqual(before);
    }
  }

  const post = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${stack.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

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

  it('createPurchase: each field of a real body replaced by wrong types, huge strings, unicode and control characters', async () => {
    const fields = Object.keys({ ...glaseSampleBody, msisdn: '' });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        nasty,
        fc.constantFrom(...fields),
        nasty,
        async (a, x, b, y) => {
          const before = await snapshot();
          const body = { ...glaseSampleBody, [a]: x, [b]: y };
          await expectSafeAnswer(await post('/webshop/createPurchase', JSON.stringify(body)), before);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('createPurchase: prototype-pollution keys are inert', async () => {
    const payloads = [
      `{"__proto__": {"purchaseToken": "29834231890234", "isAdmin": true}}`,
      `{"constructor": {"prototype": {"isAdmin": true}}, "purchaseToken": "29834231890234"}`,
      `{"purchaseToken": {"__proto__": "x"}, "clientName": "a"}`,
      JSON.stringify({
        ...glaseSampleBody,
        __proto__: { polluted: true },
        constructor: { prototype: { polluted: 1 } },
      }),
    ];
    for (const payload of payloads) {
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
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await snapshot()).toEqual(before);
  });

  it('notification: arbitrary order ids, signatures and bodies are refused without calling Glase or writing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ minLength: 1 }), fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/)),
        fc.option(fc.string(), { nil: undefined }),
        fc.oneof(
          fc.constant(''),
          fc.string({ maxLength: 2000 }),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        async (orderId, sig, body) => {
          const before = await snapshot();
          const query = sig === undefined ? '' : `?sig=${encodeURIComponent(sig)}`;
          const response = await post(
            `/webshop/notify/${encodeURIComponent(orderId)}${query}`,
            body,
            'text/plain',
          );
          await expectSafeAnswer(response, before);
          expect(response.status).not.toBe(200);
        },
      ),
      { numRuns: 80 },
    );
  });
});
