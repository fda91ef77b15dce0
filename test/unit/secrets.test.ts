import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../lambda/wiring/config.js';
import { LOCAL_SECRETS, localEnvironment } from '../../lambda/wiring/local-profile.js';
import { SecretNotConfiguredError, secretsFrom } from '../../lambda/wiring/secrets.js';

const secretsManager = mockClient(SecretsManagerClient);
const ARN = (name: string) => `arn:aws:secretsmanager:eu-north-1:000000000000:secret:${name}`;
const deployed = (names: { terminal: string; signing: string; url: string }) =>
  loadConfig({
    PRODUCTS_TABLE: 'p',
    ORDERS_TABLE: 'o',
    IDEMPOTENCY_TABLE: 'i',
    GLASE_API_URL: 'https://glase.invalid/soap',
    GLASE_WEBSHOP_ID: 'shop',
    GLASE_CREDENTIALS_SECRET_ARN: ARN(names.terminal),
    SIGNING_KEY_SECRET_ARN: ARN(names.signing),
    URL_KEY_SECRET_ARN: ARN(names.url),
    AWS_REGION: 'eu-north-1',
  });
const answer = (id: string, value: unknown) =>
  secretsManager
    .on(GetSecretValueCommand, { SecretId: ARN(id) })
    .resolves({ SecretString: typeof value === 'string' ? value : JSON.stringify(value) });

describe('secrets from Secrets Manager (deployed)', () => {
  beforeEach(() => secretsManager.reset());

  it('reads each secret once and serves it from the cache', async () => {
    const credentials = {
      terminalId: 'terminal-1',
      terminalPassword: 'pw-never-logged',
      authSecret: 'a'.repeat(20),
    };
    answer('c1', credentials);
    answer('s1', 'k'.repeat(48));
    answer('u1', 'U'.repeat(48));
    const secrets = secretsFrom(deployed({ terminal: 'c1', signing: 's1', url: 'u1' }));
    expect(await secrets.terminal()).toEqual(credentials);
    expect(await secrets.terminal()).toEqual(credentials);
    expect(await secrets.signingKey()).toBe('k'.repeat(48));
    expect(await secrets.urlKey()).toBe('U'.repeat(48));
    expect(await secrets.authSecret()).toBe('a'.repeat(20));
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it.each([
    [
      'a placeholder terminal password',
      'c2',
      { terminalId: 't', terminalPassword: 'REPLACE_WITH_GLASE_TERMINAL_PASSWORD' },
      'terminal',
      /terminalPassword still holds its placeholder/,
    ],
    [
      'an empty terminal id',
      'c3',
      { terminalId: '', terminalPassword: 'p' },
      'terminal',
      /terminalId is empty/,
    ],
    ['a secret that is not JSON', 'c4', 'terminal=1', 'terminal', /GLASE_CREDENTIALS_SECRET_ARN is not JSON/],
    ['a short URL key', 'u2', 'short', 'urlKey', /URL_KEY_SECRET_ARN must be 32-128 letters/],
    [
      'a URL key with characters a URL would mangle',
      'u3',
      `${'x'.repeat(40)}/?#`,
      'urlKey',
      /must be 32-128 letters/,
    ],
    ['a placeholder URL key', 'u4', `REPLACE_WITH_${'x'.repeat(40)}`, 'urlKey', /placeholder/],
    [
      'a short signing key',
      's2',
      'k'.repeat(31),
      'signingKey',
      /SIGNING_KEY_SECRET_ARN must be at least 32 characters/,
    ],
    [
      'a placeholder X-Auth-Token secret',
      'c5',
      { terminalId: 't', terminalPassword: 'p', authSecret: 'REPLACE_WITH_GLASE_AUTH_SECRET' },
      'authSecret',
      /authSecret still holds its placeholder/,
    ],
    [
      'a short X-Auth-Token secret',
      'c6',
      { terminalId: 't', terminalPassword: 'p', authSecret: 'short' },
      'authSecret',
      /authSecret must be at least 16/,
    ],
  ] as const)(
    'refuses %s, naming the secret and never its value',
    async (_name, id, value, which, message) => {
      answer(id, value);
      const secrets = secretsFrom(deployed({ terminal: id, signing: id, url: id }));
      const failure = await secrets[which]().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SecretNotConfiguredError);
      expect((failure as Error).message).toMatch(message);
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      if (!shown.startsWith('REPLACE_WITH')) expect((failure as Error).message).not.toContain(shown);
    },
  );
});

describe('secrets from the environment (local)', () => {
  it('serves the local profile’s keys, which are long enough to be accepted', async () => {
    const secrets = secretsFrom(loadConfig(localEnvironment({})));
    expect(await secrets.urlKey()).toBe(LOCAL_SECRETS.urlKey);
    expect(await secrets.signingKey()).toBe(LOCAL_SECRETS.signingKey);
    expect(await secrets.authSecret()).toBe(LOCAL_SECRETS.authSecret);
  });

  it('refuses a missing or weak one just the same', async () => {
    const secrets = secretsFrom(loadConfig(localEnvironment({ CREATE_PURCHASE_URL_KEY: 'guessable' })));
    await expect(secrets.urlKey()).rejects.toThrow(/CREATE_PURCHASE_URL_KEY must be 32-128/);
    const none = loadConfig({ ...localEnvironment({}), NOTIFICATION_SIGNING_KEY: '' });
    await expect(secretsFrom(none).signingKey()).rejects.toThrow(
      /SIGNING_KEY_SECRET_ARN \(or, locally, NOTIFICATION_SIGNING_KEY\) is not set/,
    );
  });
});
