import { LOCAL_SECRETS } from '../../lambda/wiring/local-profile.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

/** Counts every DynamoDB request the stack's handlers (and this test) send. */
function counted() {
  const calls: string[] = [];
  return { calls, dynamoCounters: { onRequest: (command: string) => calls.push(command) } };
}

describe('createPurchase behind its URL key, the deployed default', () => {
  let stack: TestStack;
  const dynamo = counted();
  beforeAll(async () => {
    stack = await startTestStack({
      environment: { CALLER_AUTH: 'url-key' },
      dynamoCounters: dynamo.dynamoCounters,
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('the URL with the right key takes the purchase, as Glase sends it (no header, no signature)', async () => {
    expect(stack.createPurchaseUrl).toBe(`${stack.apiUrl}/webshop/${LOCAL_SECRETS.urlKey}/createPurchase`);
    const response = await stack.post(`/webshop/${LOCAL_SECRETS.urlKey}/createPurchase`, glaseSampleBody);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ invoiceReferenceId: expect.stringMatching(/^\d+$/) });
  });

  it.each([
    ['a wrong key', `/webshop/${'x'.repeat(LOCAL_SECRETS.urlKey.length)}/createPurchase`],
    ['the key with one character changed', `/webshop/${LOCAL_SECRETS.urlKey.slice(0, -1)}0/createPurchase`],
    ['the key in another case', `/webshop/${LOCAL_SECRETS.urlKey.toUpperCase()}/createPurchase`],
    ['the key and more', `/webshop/${LOCAL_SECRETS.urlKey}x/createPurchase`],
    ['no key at all', '/webshop/createPurchase'],
  ])(
    '%s: 404, like any unknown route, with nothing read or written and Glase never called',
    async (_name, path) => {
      const dynamoBefore = dynamo.calls.length;
      const glaseBefore = stack.sandbox!.calls.length;
      const response = await stack.post(path, glaseSampleBody);
      expect([response.status, response.json]).toEqual([
        404,
        { error: { code: 'NOT_FOUND', message: 'no such resource' } },
      ]);
      expect(dynamo.calls.length).toBe(dynamoBefore);
      expect(stack.sandbox!.calls.length).toBe(glaseBefore);
    },
  );
});

describe.each([
  [
    'still a placeholder',
    `REPLACE_WITH_CREATE_PURCHASE_URL_KEY_${'0'.repeat(20)}`,
    /still holds its placeholder/,
  ],
  ['too short to be secret', 'abc123', /must be 32-128 letters/],
])(
  'a URL key %s: refused at cold start, and every purchase then gets 503, never accepted',
  (_name, urlKey, problem) => {
    let stack: TestStack;
    const logger = new CapturingLogger();
    const dynamo = counted();
    beforeAll(async () => {
      stack = await startTestStack({
        environment: { CALLER_AUTH: 'url-key', CREATE_PURCHASE_URL_KEY: urlKey },
        wiring: { logger },
        dynamoCounters: dynamo.dynamoCounters,
      });
    });
    afterAll(async () => {
      await stack.close();
    });

    it('logs it before any request arrives', () => {
      const line = logger.lines.find((candidate) =>
        candidate.includes('caller authentication is not configured'),
      );
      expect(line).toContain('"level":"ERROR"');
      expect(line).toMatch(problem);
      expect(line).not.toContain(urlKey.slice(-20)); // names the secret, never its value
    });

    it.each([
      ['with that very key', () => `/webshop/${urlKey}/createPurchase`],
      ['with any other', () => `/webshop/${'k'.repeat(40)}/createPurchase`],
    ])('answers 503 NOT_CONFIGURED %s, writing nothing', async (_how, path) => {
      const dynamoBefore = dynamo.calls.length;
      const response = await stack.post(path(), glaseSampleBody);
      expect([response.status, response.json.error.code]).toEqual([503, 'NOT_CONFIGURED']);
      expect(dynamo.calls.length).toBe(dynamoBefore);
      expect(await stack.orders()).toEqual([]);
    });
  },
);

describe("Glase's terminal credentials still placeholders: createPurchase refuses before reserving anything", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      environment: { GLASE_TERMINAL_PASSWORD: 'REPLACE_WITH_GLASE_TERMINAL_PASSWORD' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('503 NOT_CONFIGURED, no order, the stock untouched, Glase never called', async () => {
    const before = await stack.product(glaseSampleBody.purchaseToken);
    const response = await stack.purchase();
    expect([response.status, response.json.error.code]).toEqual([503, 'NOT_CONFIGURED']);
    expect(await stack.orders()).toEqual([]);
    expect((await stack.product(glaseSampleBody.purchaseToken)).available).toBe(before.available);
    expect(stack.sandbox!.calls).toEqual([]);
  });
});
