import { ConfigurationError, DEFAULTS, loadConfig } from '../../lambda/wiring/config.js';
import { localEnvironment } from '../../lambda/wiring/local-profile.js';

const deployed = {
  PRODUCTS_TABLE: 'products',
  ORDERS_TABLE: 'orders',
  IDEMPOTENCY_TABLE: 'idempotency',
  GLASE_API_URL: 'https://glase.invalid/soap',
  GLASE_WEBSHOP_ID: 'shop',
  GLASE_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:1:secret:credentials',
  SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:1:secret:signing',
  URL_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:1:secret:url-key',
  AWS_REGION: 'eu-north-1',
};

describe('configuration, validated once at cold start', () => {
  it('reads a deployed environment: secrets by ARN, the URL key as caller authentication, defaults filled', () => {
    const config = loadConfig(deployed);
    expect(config).toMatchObject({
      tables: { products: 'products', orders: 'orders', idempotency: 'idempotency' },
      region: 'eu-north-1',
      callerAuth: 'url-key',
      secrets: {
        terminal: { arn: deployed.GLASE_CREDENTIALS_SECRET_ARN },
        signingKey: { arn: deployed.SIGNING_KEY_SECRET_ARN },
        urlKey: { arn: deployed.URL_KEY_SECRET_ARN },
      },
      idempotencyTtlSeconds: DEFAULTS.IDEMPOTENCY_TTL_SECONDS,
      invoiceTtlSeconds: DEFAULTS.INVOICE_TTL_SECONDS,
      defaultCurrency: 'SEK',
      shop: { title: 'Webshop', cashierId: 'webshop', footer: 'Thank you for your purchase' },
      glase: { timeoutMs: 5000, statusTimeoutMs: 3000, notificationDeadlineMs: 15_000 },
    });
  });

  it('names every missing variable', () => {
    expect(() => loadConfig({})).toThrow(ConfigurationError);
    expect(() => loadConfig({})).toThrow(
      /PRODUCTS_TABLE is missing.*ORDERS_TABLE is missing.*GLASE_API_URL is missing/,
    );
  });

  it.each([
    ['GLASE_API_URL', 'ftp://glase.invalid'],
    ['CALLER_AUTH', 'maybe'],
    ['INVOICE_TTL_SECONDS', '-5'],
    ['GLASE_TIMEOUT_MS', 'soon'],
    ['DEFAULT_CURRENCY', 'kronor'],
    ['GLASE_TIMEOUT_MS', '1.5'],
    ['GLASE_TIMEOUT_MS', '0'],
    ['OPEN_ORDERS_PER_SHOPPER', '-1'],
    ['GLASE_API_URL', 'not a url'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ ...deployed, [name]: value })).toThrow(
      new RegExp(`^invalid configuration: ${name} `),
    );
  });

  it('names every problem in one message, and takes 0 as "no limit" where 0 means that', () => {
    expect(() =>
      loadConfig({ ...deployed, CALLER_AUTH: 'maybe', GLASE_STATUS_TIMEOUT_MS: 'x', ORDERS_TABLE: ' ' }),
    ).toThrow(
      'invalid configuration: ORDERS_TABLE is missing; GLASE_STATUS_TIMEOUT_MS must be a positive whole number; CALLER_AUTH must be one of url-key, token, none',
    );
    expect(loadConfig({ ...deployed, OPEN_ORDERS_PER_SHOPPER: '0' }).openOrdersPerShopper).toBe(0);
    expect(loadConfig({ ...deployed, GLASE_TIMEOUT_MS: ' 2500 ' }).glase.timeoutMs).toBe(2500);
  });

  it('treats empty variables as unset (sam local env files)', () => {
    const config = loadConfig({
      ...deployed,
      GLASE_CREDENTIALS_SECRET_ARN: '',
      GLASE_TERMINAL_ID: 't',
      GLASE_TERMINAL_PASSWORD: 'p',
      SIGNING_KEY_SECRET_ARN: '',
      NOTIFICATION_SIGNING_KEY: 'k',
      DYNAMODB_ENDPOINT: '',
      SHOP_TITLE: '',
    });
    expect(config.dynamodbEndpoint).toBeUndefined();
    expect(config.shop.title).toBe(DEFAULTS.SHOP_TITLE);
    expect(config.secrets.terminal).toEqual({
      value: { terminalId: 't', terminalPassword: 'p', authSecret: undefined },
    });
    expect(config.secrets.signingKey).toEqual({ value: 'k' });
  });

  it('the local profile is a complete configuration of its own, with no caller authentication', () => {
    const config = loadConfig(localEnvironment({}));
    expect(config).toMatchObject({
      callerAuth: 'none',
      region: 'local',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
    });
    expect(loadConfig(localEnvironment({ DYNAMODB_PORT: '8123', TABLE_PREFIX: 'x-' }))).toMatchObject({
      dynamodbEndpoint: 'http://127.0.0.1:8123',
      tables: { orders: 'x-orders' },
    });
  });
});
