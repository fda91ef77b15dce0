import type { Environment, EnvName } from '../../contract/environment.js';
/**
 * The local profile: the `npm start` environment's defaults, stated once. `npm start` runs with
 * them, the operator CLI connects to them when given no --stack, and tests start from them.
 * Every value is local-only: the terminal is Glase's public test terminal, the keys are public.
 */
export const LOCAL_SECRETS = {
  terminalId: 'public_test_shop_terminal',
  terminalPassword: '12345678',
  authSecret: 'local-caller-auth-secret-0123456789',
  signingKey: 'local-notification-signing-key-0123456789abcdef',
  urlKey: 'local-createPurchase-url-key-0123456789abcdef',
  /** Signs local webhooks when WEBHOOK_URL is set without WEBHOOK_SECRET; `webhooks listen` checks with it. */
  webhookSecret: 'local-webhook-signing-secret-0123456789abcdef',
} as const;

export const LOCAL_WEBSHOP_ID = 'local-shop';
export const LOCAL_SHOP_TITLE = 'Glase Demo Shop';
/** DynamoDB Local runs with -sharedDb, so any region sees the same tables; this is ours. */
export const LOCAL_REGION = 'local';
export const LOCAL_TABLE_PREFIX = 'glase-checkout-';
export const LOCAL_OUTBOX_FILE = '.local/outbox.jsonl';
/** Each shopper mail `npm start` would send, as a file to open in any mail client. */
export const LOCAL_MAIL_DIR = '.local/mail';
export const LOCAL_MAIL_FROM = 'Glase Demo Shop <orders@glase-demo.example>';
export const LOCAL_RECONCILE_INTERVAL_SECONDS = 15;
/** How often `npm start` looks for webhook retries that are due (the first is due after 30 s). */
export const LOCAL_WEBHOOK_SWEEP_SECONDS = 5;
/** Where `webhooks listen` receives by default: WEBHOOK_URL=http://127.0.0.1:4010/ npm start. */
export const LOCAL_WEBHOOK_PORT = 4010;
/** Who sells in the demo: the receipt names them (a deployed shop sets its own). */
export const LOCAL_SELLER = {
  name: 'Glase Demo Shop AB',
  orgNumber: '556677-8899',
  address: 'Demogatan 1, 111 22 Stockholm',
};

export interface LocalPorts {
  readonly api: number;
  readonly dynamodb: number;
  readonly sandbox: number;
  /** The demo shop's product pages. */
  readonly shop: number;
}

export const DEFAULT_LOCAL_PORTS: LocalPorts = { api: 3000, dynamodb: 8000, sandbox: 8081, shop: 8082 };

/** The sandbox's stand-in for Glase's QR widget script, and its Glase app for a browser. */
export const SANDBOX_QR_SCRIPT_PATH = '/sandbox/qr.js';
export const SANDBOX_APP_PATH = '/app/';

/** Where `snippet` points product pages when connected to `npm start`: the sandbox's QR script. */
export function localQrScriptUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${localPorts(env).sandbox}${SANDBOX_QR_SCRIPT_PATH}`;
}

export function localPorts(env: NodeJS.ProcessEnv = process.env): LocalPorts {
  return {
    api: Number(env.PORT ?? DEFAULT_LOCAL_PORTS.api),
    dynamodb: Number(env.DYNAMODB_PORT ?? DEFAULT_LOCAL_PORTS.dynamodb),
    sandbox: Number(env.GLASE_SANDBOX_PORT ?? DEFAULT_LOCAL_PORTS.sandbox),
    shop: Number(env.SHOP_PORT ?? DEFAULT_LOCAL_PORTS.shop),
  };
}

export function localTableNames(prefix = LOCAL_TABLE_PREFIX) {
  return { products: `${prefix}products`, orders: `${prefix}orders`, idempotency: `${prefix}idempotency` };
}

/**
 * Environment variables for `loadConfig`: local defaults first, what the user set on top. Only
 * settings the configuration module knows are taken from the user's environment.
 */
export function localEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const ports = localPorts(env);
  const tables = localTableNames(env.TABLE_PREFIX || LOCAL_TABLE_PREFIX);
  const defaults: Environment = {
    PRODUCTS_TABLE: tables.products,
    ORDERS_TABLE: tables.orders,
    IDEMPOTENCY_TABLE: tables.idempotency,
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamodb}`,
    // DynamoDB Local on a busy laptop may take seconds: here only a hang is an outage.
    DYNAMODB_ATTEMPT_TIMEOUT_MS: '30000',
    AWS_REGION: LOCAL_REGION,
    GLASE_API_URL: `http://127.0.0.1:${ports.sandbox}/soap`,
    GLASE_TERMINAL_ID: LOCAL_SECRETS.terminalId,
    GLASE_TERMINAL_PASSWORD: LOCAL_SECRETS.terminalPassword,
    GLASE_AUTH_SECRET: LOCAL_SECRETS.authSecret,
    GLASE_WEBSHOP_ID: LOCAL_WEBSHOP_ID,
    NOTIFICATION_SIGNING_KEY: LOCAL_SECRETS.signingKey,
    CREATE_PURCHASE_URL_KEY: LOCAL_SECRETS.urlKey,
    CALLER_AUTH: 'none',
    PUBLIC_BASE_URL: `http://127.0.0.1:${ports.api}`,
    SHOP_TITLE: LOCAL_SHOP_TITLE,
    OUTBOX_FILE: LOCAL_OUTBOX_FILE,
    MAIL_FROM: LOCAL_MAIL_FROM,
    MAIL_DIR: LOCAL_MAIL_DIR,
    SELLER_NAME: LOCAL_SELLER.name,
    SELLER_ORG_NUMBER: LOCAL_SELLER.orgNumber,
    SELLER_ADDRESS: LOCAL_SELLER.address,
    ...(env.WEBHOOK_URL ? { WEBHOOK_SECRET: LOCAL_SECRETS.webhookSecret } : {}),
  };
  const overrides = Object.fromEntries(
    [...Object.keys(defaults), ...USER_SETTINGS].flatMap((name) =>
      env[name] ? [[name, env[name] as string]] : [],
    ),
  );
  // Set but empty switches a default off: `SELLER_NAME= npm start` runs a shop with no seller named.
  for (const name of UNSETTABLE) if (env[name] === '') overrides[name] = '';
  return { ...defaults, ...overrides };
}

/** Local defaults a user may switch off by setting them empty. */
const UNSETTABLE: readonly EnvName[] = ['SELLER_NAME', 'SELLER_ORG_NUMBER', 'SELLER_ADDRESS', 'MAIL_FROM'];

/** Settings with no local default that a user may still set. */
const USER_SETTINGS: readonly EnvName[] = [
  'SHOP_CASHIER_ID',
  'SHOP_RECEIPT_FOOTER',
  'DEFAULT_CURRENCY',
  'IDEMPOTENCY_TTL_SECONDS',
  'INVOICE_TTL_SECONDS',
  'REFUND_PENDING_ALERT_MINUTES',
  'OPEN_ORDERS_PER_SHOPPER',
  'GLASE_TIMEOUT_MS',
  'GLASE_STATUS_TIMEOUT_MS',
  'DYNAMODB_ATTEMPT_TIMEOUT_MS',
  'HELD_SHARE_PERCENT',
  'NOTIFICATION_DEADLINE_MS',
  'MAIL_SUBJECT_PAID',
  'MAIL_SUBJECT_REFUNDED',
  'BOOKKEEPING_ACCOUNTS',
  'PERSONAL_DATA_RETENTION_DAYS',
  'EVENTS_INCLUDE_CUSTOMER',
  'WEBHOOK_URL',
];
