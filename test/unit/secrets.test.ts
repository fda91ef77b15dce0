import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SECRET_CACHE_SECONDS } from '../../contract/service.js';
import { loadConfig } from '../../lambda/wiring/config.js';
import { LOCAL_SECRETS, localEnvironment } from '../../lambda/wiring/local-profile.js';
import {
  type SecretFetch,
  SecretNotConfiguredError,
  secretsFrom,
  webhookSecrets,
} from '../../lambda/wiring/secrets.js';
import { secretsExtension } from '../../lambda/wiring/secrets-extension.js';
import { secretsManager } from '../../lambda/wiring/secrets-manager.js';
import { type SecretsExtension, startSecretsExtension } from '../../local/secrets-extension.js';

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
const noSecretsManager: SecretFetch = () => Promise.reject(new Error('not deployed'));

/** A key as a generator would make one: varied characters, `letter` first to tell keys apart. */
const keyOf = (letter: string, length: number) =>
  `${letter}Xq7Lp2Zr9Mw4Tn8Vb6Jc3Hd5Gf1Ks0Ya-eUo_iWsAhB`.repeat(3).slice(0, length);

describe('secrets from Secrets Manager through the Lambda extension (deployed)', () => {
  let extension: SecretsExtension;
  let fetchSecret: SecretFetch;
  const answer = (id: string, value: unknown) =>
    extension.set(ARN(id), typeof value === 'string' ? value : JSON.stringify(value));
  beforeAll(async () => {
    extension = await startSecretsExtension();
    fetchSecret = secretsExtension(extension.environment);
  });
  afterAll(() => extension.close());
  beforeEach(() => {
    extension.requests.length = 0;
  });

  it('reads each secret once and serves it from the cache', async () => {
    const credentials = {
      terminalId: 'terminal-1',
      terminalPassword: 'pw-never-logged',
      authSecret: keyOf('a', 20),
    };
    answer('c1', credentials);
    answer('s1', keyOf('k', 48));
    answer('u1', keyOf('U', 48));
    const secrets = secretsFrom(deployed({ terminal: 'c1', signing: 's1', url: 'u1' }), fetchSecret);
    const [first, second] = await Promise.all([secrets.terminal(), secrets.terminal()]);
    expect([first, second]).toEqual([credentials, credentials]);
    expect(await secrets.signingKey()).toBe(keyOf('k', 48));
    expect(await secrets.urlKey()).toBe(keyOf('U', 48));
    expect(await secrets.authSecret()).toBe(keyOf('a', 20));
    expect(extension.requests).toEqual(
      [ARN('c1'), ARN('s1'), ARN('u1')].map((secretId) => ({ secretId, token: 'session-token' })),
    );
  });

  it('reads a secret again once its cache age has passed, so a rotation arrives; a failed read is not kept', async () => {
    answer('r1', keyOf('k', 40));
    let now = 0;
    const secrets = secretsFrom(
      deployed({ terminal: 'r1', signing: 'r1', url: 'r1' }),
      fetchSecret,
      () => now,
    );
    expect(await secrets.signingKey()).toBe(keyOf('k', 40));
    answer('r1', keyOf('n', 40));
    now = SECRET_CACHE_SECONDS * 1000 - 1;
    expect(await secrets.signingKey()).toBe(keyOf('k', 40));
    now = SECRET_CACHE_SECONDS * 1000;
    expect(await secrets.signingKey()).toBe(keyOf('n', 40));
    expect(extension.requests).toHaveLength(2);

    const flaky = secretsFrom(deployed({ terminal: 'r2', signing: 'r2', url: 'r2' }), fetchSecret);
    await expect(flaky.signingKey()).rejects.toThrow(/SIGNING_KEY_SECRET_ARN has no value yet/);
    answer('r2', keyOf('s', 40));
    expect(await flaky.signingKey()).toBe(keyOf('s', 40));
  });

  it('says what is wrong when the extension cannot be used, never quoting a value', async () => {
    const outsideLambda = secretsExtension({ ...extension.environment, AWS_SESSION_TOKEN: '' });
    await expect(outsideLambda(ARN('x'))).rejects.toThrow(/AWS_SESSION_TOKEN is not set/);
    const wrongToken = secretsExtension({ ...extension.environment, AWS_SESSION_TOKEN: 'other' });
    await expect(wrongToken(ARN('x'))).rejects.toThrow(/answered 401/);
  });

  it('takes a secret created without a value as not configured: the credentials until the merchant fills them in', async () => {
    extension.set(ARN('empty'), undefined);
    expect(await fetchSecret(ARN('empty'))).toBeUndefined();
    const secrets = secretsFrom(deployed({ terminal: 'empty', signing: 'empty', url: 'empty' }), fetchSecret);
    const failure = await secrets.terminal().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SecretNotConfiguredError);
    expect((failure as Error).message).toMatch(/GLASE_CREDENTIALS_SECRET_ARN has no value yet/);
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
      { terminalId: '', terminalPassword: 'password-1' },
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
      { terminalId: 't', terminalPassword: 'password-1', authSecret: 'REPLACE_WITH_GLASE_AUTH_SECRET' },
      'authSecret',
      /authSecret still holds its placeholder/,
    ],
    [
      'a placeholder in lower case, with a space before it',
      'c7',
      { terminalId: 't', terminalPassword: ' replace_with_glase_terminal_password' },
      'terminal',
      /terminalPassword still holds its placeholder/,
    ],
    [
      'a value pasted with a line break after it',
      'c8',
      { terminalId: 't', terminalPassword: 'password-1\n' },
      'terminal',
      /terminalPassword has spaces or line breaks around it/,
    ],
    [
      'a one-character terminal password',
      'c9',
      { terminalId: 't', terminalPassword: 'x' },
      'terminal',
      /terminalPassword must be at least 8 characters/,
    ],
    ['a URL key of 32 × a', 'u5', 'a'.repeat(32), 'urlKey', /URL_KEY_SECRET_ARN is too predictable/],
    [
      'a signing key of abab…',
      's3',
      'ab'.repeat(20),
      'signingKey',
      /SIGNING_KEY_SECRET_ARN is too predictable/,
    ],
    [
      'an X-Auth-Token secret of 16 × a',
      'c10',
      { terminalId: 't', terminalPassword: 'password-1', authSecret: 'a'.repeat(16) },
      'authSecret',
      /authSecret is too predictable/,
    ],
    [
      'a short X-Auth-Token secret',
      'c6',
      { terminalId: 't', terminalPassword: 'password-1', authSecret: 'short' },
      'authSecret',
      /authSecret must be at least 16/,
    ],
  ] as const)(
    'refuses %s, naming the secret and never its value',
    async (_name, id, value, which, message) => {
      answer(id, value);
      const secrets = secretsFrom(deployed({ terminal: id, signing: id, url: id }), fetchSecret);
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
    const secrets = secretsFrom(loadConfig(localEnvironment({})), noSecretsManager);
    expect(await secrets.urlKey()).toBe(LOCAL_SECRETS.urlKey);
    expect(await secrets.signingKey()).toBe(LOCAL_SECRETS.signingKey);
    expect(await secrets.authSecret()).toBe(LOCAL_SECRETS.authSecret);
  });

  it('refuses a missing or weak one just the same', async () => {
    const secrets = secretsFrom(
      loadConfig(localEnvironment({ CREATE_PURCHASE_URL_KEY: 'guessable' })),
      noSecretsManager,
    );
    await expect(secrets.urlKey()).rejects.toThrow(/CREATE_PURCHASE_URL_KEY must be 32-128/);
    const none = loadConfig({ ...localEnvironment({}), NOTIFICATION_SIGNING_KEY: '' });
    await expect(secretsFrom(none, noSecretsManager).signingKey()).rejects.toThrow(
      /SIGNING_KEY_SECRET_ARN \(or, locally, NOTIFICATION_SIGNING_KEY\) is not set/,
    );
  });
});

describe('secrets from Secrets Manager through the SDK (the CLI)', () => {
  const client = mockClient(SecretsManagerClient);
  afterAll(() => client.restore());

  it('reads SecretString, refuses a binary secret, and takes one without a value as empty', async () => {
    client.on(GetSecretValueCommand, { SecretId: ARN('cli') }).resolves({ SecretString: 'value' });
    client.on(GetSecretValueCommand, { SecretId: ARN('bin') }).resolves({});
    client
      .on(GetSecretValueCommand, { SecretId: ARN('empty') })
      .rejects(new ResourceNotFoundException({ message: "can't find the secret value", $metadata: {} }));
    client.on(GetSecretValueCommand, { SecretId: ARN('denied') }).rejects(new Error('AccessDenied'));
    const read = secretsManager('eu-north-1');
    expect(await read(ARN('cli'))).toBe('value');
    await expect(read(ARN('bin'))).rejects.toThrow(/holds no SecretString/);
    expect(await read(ARN('empty'))).toBeUndefined();
    await expect(read(ARN('denied'))).rejects.toThrow('AccessDenied');
  });
});

describe('webhook signing secrets', () => {
  const config = () => ({
    ...deployed({ terminal: 'c', signing: 's', url: 'u' }),
    webhooks: [{ id: 'shop', url: 'https://shop.example/h', events: [], secret: { arn: ARN('hook') } }],
  });
  const stored =
    (value: string | undefined): SecretFetch =>
    async () =>
      value;
  const GOOD = 'Zq8wN3vX5kP1mT7yR2cL9bH4dF6gJ0sA';
  const OLD = 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY';

  it('reads the generated {"current"}, and both while rotating (the new one first)', async () => {
    await expect(
      webhookSecrets(config(), stored(JSON.stringify({ current: GOOD })))('shop'),
    ).resolves.toEqual({ current: GOOD });
    await expect(
      webhookSecrets(config(), stored(JSON.stringify({ current: GOOD, previous: OLD })))('shop'),
    ).resolves.toEqual({ current: GOOD, previous: OLD });
  });

  it.each([
    ['no value yet', undefined, /has no value yet/],
    ['not JSON', GOOD, /is not JSON/],
    ['a placeholder', JSON.stringify({ current: 'REPLACE_WITH_A_SECRET_0123456789' }), /placeholder/],
    ['too short', JSON.stringify({ current: 'short-secret' }), /at least 24 characters/],
    ['too predictable', JSON.stringify({ current: 'a'.repeat(40) }), /too predictable/],
    ['a weak previous one', JSON.stringify({ current: GOOD, previous: 'x' }), /previous/],
  ])('refuses %s, naming the endpoint, never the value', async (_what, value, message) => {
    const read = webhookSecrets(config(), stored(value))('shop');
    await expect(read).rejects.toThrow(SecretNotConfiguredError);
    await expect(read).rejects.toThrow(message);
    await expect(read).rejects.toThrow(/the webhook secret of shop/);
    if (value) await expect(read).rejects.not.toThrow(GOOD);
  });

  it('knows no endpoint it was not configured with', async () => {
    await expect(webhookSecrets(config(), stored(GOOD))('other')).rejects.toThrow(
      'other is no configured webhook',
    );
  });
});
