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

  it('reads the merchant-world settings: seller, accounts over BAS, retention, customer in events, webhooks', () => {
    const endpoints = [
      { id: 'shop', url: 'https://shop.example/hook', events: ['order.paid'], secretArn: 'arn:x:1' },
      { id: 'erp', url: 'https://erp.example/in', events: [], secretArn: 'arn:x:2' },
    ];
    const config = loadConfig({
      ...deployed,
      SELLER_NAME: 'Min Butik AB',
      SELLER_ORG_NUMBER: '556677-8899',
      BOOKKEEPING_ACCOUNTS: '{"receivable": "1930", "sales": {"25": "3010"}}',
      PERSONAL_DATA_RETENTION_DAYS: '730',
      EVENTS_INCLUDE_CUSTOMER: 'true',
      WEBHOOKS: JSON.stringify(endpoints),
    });
    expect(config.seller).toEqual({ name: 'Min Butik AB', orgNumber: '556677-8899' });
    expect(config.accounts).toMatchObject({
      receivable: '1930',
      sales: { 25: '3010', 12: '3002', 6: '3003' },
      vat: { 25: '2611' },
    });
    expect(config.personalDataRetentionDays).toBe(730);
    expect(config.eventsIncludeCustomer).toBe(true);
    expect(config.webhooks).toEqual([
      { id: 'shop', url: 'https://shop.example/hook', events: ['order.paid'], secret: { arn: 'arn:x:1' } },
      { id: 'erp', url: 'https://erp.example/in', events: [], secret: { arn: 'arn:x:2' } },
    ]);
    const defaults = loadConfig(deployed);
    expect(defaults).toMatchObject({
      seller: {},
      personalDataRetentionDays: 1095,
      eventsIncludeCustomer: false,
      webhooks: [],
    });
  });

  it.each([
    ['SELLER_ORG_NUMBER', '5566778899'],
    ['BOOKKEEPING_ACCOUNTS', '{"receivable": "15800"}'],
    ['BOOKKEEPING_ACCOUNTS', 'not json'],
    ['PERSONAL_DATA_RETENTION_DAYS', '0'],
    ['EVENTS_INCLUDE_CUSTOMER', 'yes'],
    ['WEBHOOKS', '[{"id": "a", "url": "not a url", "secretArn": "x"}]'],
    ['WEBHOOKS', '{"id": "a"}'],
    ['WEBHOOK_URL', 'ftp://hooks.example'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ ...deployed, [name]: value })).toThrow(new RegExp(`${name}`));
  });

  it('locally, WEBHOOK_URL alone signs with the local secret; an empty SELLER_NAME unsets the demo seller', () => {
    const config = loadConfig(localEnvironment({ WEBHOOK_URL: 'http://127.0.0.1:4010/', SELLER_NAME: '' }));
    expect(config.webhooks).toEqual([
      {
        id: 'local',
        url: 'http://127.0.0.1:4010/',
        events: [],
        secret: { value: { current: 'local-webhook-signing-secret-0123456789abcdef' } },
      },
    ]);
    expect(config.seller.name).toBeUndefined();
    expect(loadConfig(localEnvironment({})).webhooks).toEqual([]);
    expect(loadConfig(localEnvironment({})).seller.name).toBe('Glase Demo Shop AB');
  });
});
