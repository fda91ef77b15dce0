import { ConfigurationError, loadConfig } from '../../lambda/handlers/config.js';

const deployed = {
  PRODUCTS_TABLE: 'products',
  ORDERS_TABLE: 'orders',
  IDEMPOTENCY_TABLE: 'idempotency',
  GLASE_API_URL: 'https://glase.invalid/soap',
  GLASE_WEBSHOP_ID: 'shop',
  GLASE_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:1:secret:x',
};

describe('configuration, validated once at cold start', () => {
  it('reads a deployed environment, secrets from Secrets Manager, defaults filled', () => {
    const config = loadConfig(deployed);
    expect(config).toMatchObject({
      tables: { products: 'products', orders: 'orders', idempotency: 'idempotency' },
      callerAuth: 'token',
      secretArn: deployed.GLASE_SECRET_ARN,
      localSecrets: undefined,
      idempotencyTtlSeconds: 600,
      invoiceTtlSeconds: 900,
      glase: { timeoutMs: 5000, statusTimeoutMs: 3000 },
    });
  });

  it('names every missing variable', () => {
    expect(() => loadConfig({})).toThrow(ConfigurationError);
    expect(() => loadConfig({})).toThrow(
      /PRODUCTS_TABLE is missing.*ORDERS_TABLE is missing.*GLASE_API_URL is missing/,
    );
  });

  it('needs the secrets in the environment when there is no secret ARN', () => {
    const { GLASE_SECRET_ARN: _arn, ...local } = deployed;
    expect(() => loadConfig(local)).toThrow(
      /GLASE_TERMINAL_ID is required when GLASE_SECRET_ARN is not set.*GLASE_AUTH_SECRET is required when CALLER_AUTH=token/,
    );
  });

  it.each([
    ['GLASE_API_URL', 'ftp://glase.invalid'],
    ['CALLER_AUTH', 'maybe'],
    ['INVOICE_TTL_SECONDS', '-5'],
    ['GLASE_TIMEOUT_MS', 'soon'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ ...deployed, [name]: value })).toThrow(
      new RegExp(`^invalid configuration: ${name} `),
    );
  });

  it('treats empty variables as unset (sam local env files)', () => {
    const config = loadConfig({
      ...deployed,
      GLASE_SECRET_ARN: '',
      CALLER_AUTH: 'none',
      GLASE_TERMINAL_ID: 't',
      GLASE_TERMINAL_PASSWORD: 'p',
      NOTIFICATION_SIGNING_KEY: 'k',
      DYNAMODB_ENDPOINT: '',
    });
    expect(config.secretArn).toBeUndefined();
    expect(config.dynamodb.endpoint).toBeUndefined();
    expect(config.localSecrets).toEqual({
      terminalId: 't',
      terminalPassword: 'p',
      authSecret: undefined,
      signingKey: 'k',
    });
  });
});
