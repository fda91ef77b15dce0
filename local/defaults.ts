/**
 * The `npm start` environment's defaults, in one place: `local/start.ts` runs with them
 * and the operator CLI connects to them when given no --stack.
 */
export const LOCAL_SECRETS = {
  terminalId: 'public_test_shop_terminal',
  terminalPassword: '12345678',
  authSecret: 'local-caller-secret',
  signingKey: 'local-notification-signing-key-change-me',
};

const LOCAL_WEBSHOP_ID = 'local-shop';
const LOCAL_SHOP_TITLE = 'Glase Demo Shop';

export interface LocalPorts {
  readonly api: number;
  readonly dynamodb: number;
  readonly sandbox: number;
}

export function localPorts(env: NodeJS.ProcessEnv = process.env): LocalPorts {
  return {
    api: Number(env.PORT ?? 3000),
    dynamodb: Number(env.DYNAMODB_PORT ?? 8000),
    sandbox: Number(env.GLASE_SANDBOX_PORT ?? 8081),
  };
}

/** Environment variables for `loadConfig`, local defaults first, what the user set on top. */
export function localEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const ports = localPorts(env);
  const prefix = env.TABLE_PREFIX ?? 'glase-checkout-';
  const defaults: Record<string, string> = {
    PRODUCTS_TABLE: `${prefix}products`,
    ORDERS_TABLE: `${prefix}orders`,
    IDEMPOTENCY_TABLE: `${prefix}idempotency`,
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamodb}`,
    AWS_REGION: 'local',
    GLASE_API_URL: `http://127.0.0.1:${ports.sandbox}/soap`,
    GLASE_TERMINAL_ID: LOCAL_SECRETS.terminalId,
    GLASE_TERMINAL_PASSWORD: LOCAL_SECRETS.terminalPassword,
    GLASE_AUTH_SECRET: LOCAL_SECRETS.authSecret,
    GLASE_WEBSHOP_ID: LOCAL_WEBSHOP_ID,
    NOTIFICATION_SIGNING_KEY: LOCAL_SECRETS.signingKey,
    CALLER_AUTH: 'none',
    PUBLIC_BASE_URL: `http://127.0.0.1:${ports.api}`,
    SHOP_TITLE: LOCAL_SHOP_TITLE,
    OUTBOX_FILE: '.local/outbox.jsonl',
  };
  const overrides = Object.fromEntries(
    Object.keys({ ...defaults, ...OPTIONAL_SETTINGS }).flatMap((name) =>
      env[name] ? [[name, env[name] as string]] : [],
    ),
  );
  return { ...defaults, ...overrides };
}

/** Settings with no local default that a user may still set. */
const OPTIONAL_SETTINGS = {
  SHOP_CASHIER_ID: '',
  SHOP_RECEIPT_FOOTER: '',
  IDEMPOTENCY_TTL_SECONDS: '',
  INVOICE_TTL_SECONDS: '',
  GLASE_TIMEOUT_MS: '',
  GLASE_STATUS_TIMEOUT_MS: '',
  NOTIFICATION_DEADLINE_MS: '',
};
