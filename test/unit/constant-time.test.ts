import { createRequire } from 'node:module';
import { jest } from '@jest/globals';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The URL key and X-Auth-Token are compared in constant time. No test can time a comparison
 * (and none may), so this one checks the comparison that decides is node:crypto's timingSafeEqual:
 * replacing it with `===`, in the rule or in the middleware, fails here.
 */
const compared: [string, string][] = [];
// The real module, through require: an import here would be the mock itself.
const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
jest.unstable_mockModule('node:crypto', () => {
  return {
    ...crypto,
    default: crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([Buffer.from(a as Uint8Array).toString(), Buffer.from(b as Uint8Array).toString()]);
      return crypto.timingSafeEqual(a, b);
    },
  };
});

const { callerAuth } = await import('../../lambda/handlers/http-middleware.js');
const { callerToken } = await import('../../lambda/checkout/model/caller-auth.js');
const { loadConfig } = await import('../../lambda/wiring/config.js');
const { localEnvironment, LOCAL_SECRETS } = await import('../../lambda/wiring/local-profile.js');
const { secretsFrom } = await import('../../lambda/wiring/secrets.js');

function guard(mode: 'url-key' | 'token') {
  const config = loadConfig(localEnvironment({ CALLER_AUTH: mode }));
  const quiet = { error: () => undefined } as never;
  const metrics = { addMetric: () => undefined } as never;
  const secrets = secretsFrom(config, async () => undefined);
  const middleware = callerAuth({ config, secrets, logger: quiet, metrics });
  return (event: Partial<APIGatewayProxyEvent>) =>
    (middleware.before as (request: { event: APIGatewayProxyEvent }) => Promise<void>)({
      event: { headers: {}, ...event } as APIGatewayProxyEvent,
    });
}

/** The same text with its first character changed. */
const flipped = (text: string) => `${text.startsWith('0') ? '1' : '0'}${text.slice(1)}`;

describe('caller authentication compares in constant time', () => {
  beforeEach(() => {
    compared.length = 0;
  });

  it('the URL key: the right one passes and a wrong one of the same length is refused, both through timingSafeEqual', async () => {
    const check = guard('url-key');
    await expect(check({ pathParameters: { urlKey: LOCAL_SECRETS.urlKey } })).resolves.toBeUndefined();
    const wrong = `${LOCAL_SECRETS.urlKey.slice(0, -1)}X`;
    await expect(check({ pathParameters: { urlKey: wrong } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(compared).toEqual([
      [LOCAL_SECRETS.urlKey, LOCAL_SECRETS.urlKey],
      [wrong, LOCAL_SECRETS.urlKey],
    ]);
  });

  it('the X-Auth-Token, the same way', async () => {
    const check = guard('token');
    const token = callerToken('local-shop', LOCAL_SECRETS.authSecret);
    await expect(check({ headers: { 'x-auth-token': token } })).resolves.toBeUndefined();
    await expect(check({ headers: { 'x-auth-token': flipped(token) } })).rejects.toMatchObject({
      code: 'NOT_AUTHENTICATED',
    });
    expect(compared.map(([given]) => given)).toEqual([token, flipped(token)]);
  });
});
