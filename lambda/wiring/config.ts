import * as z from 'zod/mini';

/**
 * Every setting the functions read, validated once at cold start. A missing or malformed
 * variable stops the function with a message naming it, before any request is taken. Each
 * default is stated here and nowhere else.
 */
export const DEFAULTS = {
  GLASE_TIMEOUT_MS: 5000,
  GLASE_STATUS_TIMEOUT_MS: 3000,
  NOTIFICATION_DEADLINE_MS: 15_000,
  GLASE_CLIENT_ID: 'glase-checkout',
  CALLER_AUTH: 'url-key',
  SHOP_TITLE: 'Webshop',
  SHOP_CASHIER_ID: 'webshop',
  SHOP_RECEIPT_FOOTER: 'Thank you for your purchase',
  DEFAULT_CURRENCY: 'SEK',
  IDEMPOTENCY_TTL_SECONDS: 600,
  OPEN_ORDERS_PER_SHOPPER: 1,
  INVOICE_TTL_SECONDS: 900,
  SERVICE_NAME: 'glase-checkout',
  METRICS_NAMESPACE: 'GlaseCheckout',
} as const;

export const CALLER_AUTH_MODES = ['url-key', 'token', 'none'] as const;
export type CallerAuthMode = (typeof CALLER_AUTH_MODES)[number];

const positiveInt = (fallback: number) =>
  z._default(
    z.pipe(z.coerce.number(), z.int().check(z.positive({ error: 'must be a positive whole number' }))),
    fallback,
  );
const optional = z.pipe(
  z.optional(z.string().check(z.trim())),
  z.transform((value) => (value === '' ? undefined : value)),
);
const required = z.string().check(z.minLength(1));
const withDefault = (fallback: string) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((value) => (value?.trim() ? value.trim() : fallback)),
  );

const environmentSchema = z.object({
  PRODUCTS_TABLE: required,
  ORDERS_TABLE: required,
  IDEMPOTENCY_TABLE: required,
  DYNAMODB_ENDPOINT: optional,
  AWS_REGION: optional,
  GLASE_API_URL: z.url({ protocol: /^https?$/ }),
  GLASE_TIMEOUT_MS: positiveInt(DEFAULTS.GLASE_TIMEOUT_MS),
  /** Each getPaymentStatus attempt after a notification. */
  GLASE_STATUS_TIMEOUT_MS: positiveInt(DEFAULTS.GLASE_STATUS_TIMEOUT_MS),
  /**
   * After a notification, getPaymentStatus is retried until this long after it arrived; Glase
   * reverses a payment nobody asked about within 20 s, so this stays well inside that.
   */
  NOTIFICATION_DEADLINE_MS: positiveInt(DEFAULTS.NOTIFICATION_DEADLINE_MS),
  GLASE_CLIENT_ID: withDefault(DEFAULTS.GLASE_CLIENT_ID),
  GLASE_WEBSHOP_ID: optional,
  CALLER_AUTH: z._default(z.enum(CALLER_AUTH_MODES), DEFAULTS.CALLER_AUTH),
  PUBLIC_BASE_URL: optional,
  SHOP_TITLE: withDefault(DEFAULTS.SHOP_TITLE),
  SHOP_CASHIER_ID: withDefault(DEFAULTS.SHOP_CASHIER_ID),
  SHOP_RECEIPT_FOOTER: withDefault(DEFAULTS.SHOP_RECEIPT_FOOTER),
  DEFAULT_CURRENCY: z._default(
    z.string().check(z.regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' })),
    DEFAULTS.DEFAULT_CURRENCY,
  ),
  IDEMPOTENCY_TTL_SECONDS: positiveInt(DEFAULTS.IDEMPOTENCY_TTL_SECONDS),
  /** Unpaid orders of one product one shopper (by e-mail or phone) may hold at once; 0: no limit. */
  OPEN_ORDERS_PER_SHOPPER: z._default(
    z.pipe(
      z.coerce.number(),
      z.int().check(z.minimum(0, { error: 'must be a whole number, 0 for no limit' })),
    ),
    DEFAULTS.OPEN_ORDERS_PER_SHOPPER,
  ),
  INVOICE_TTL_SECONDS: positiveInt(DEFAULTS.INVOICE_TTL_SECONDS),
  // Deployed, each secret lives in Secrets Manager and only its ARN is here; locally, the value.
  GLASE_CREDENTIALS_SECRET_ARN: optional,
  GLASE_TERMINAL_ID: optional,
  GLASE_TERMINAL_PASSWORD: optional,
  GLASE_AUTH_SECRET: optional,
  SIGNING_KEY_SECRET_ARN: optional,
  NOTIFICATION_SIGNING_KEY: optional,
  URL_KEY_SECRET_ARN: optional,
  CREATE_PURCHASE_URL_KEY: optional,
  EVENT_BUS_NAME: optional,
  OUTBOX_FILE: optional,
});

/** Where one secret comes from: Secrets Manager (deployed) or the environment (local). */
export type SecretSource<T> = { readonly arn: string } | { readonly value: T } | undefined;

export interface TerminalSecret {
  readonly terminalId: string;
  readonly terminalPassword: string;
  /** Only with CALLER_AUTH=token: the secret behind X-Auth-Token. */
  readonly authSecret?: string | undefined;
}

export interface Config {
  readonly tables: { readonly products: string; readonly orders: string; readonly idempotency: string };
  /** AWS_REGION: Lambda sets it; the CLI takes the stack's; locally `local`. */
  readonly region?: string | undefined;
  /** DynamoDB Local's address; unset in AWS. */
  readonly dynamodbEndpoint?: string | undefined;
  readonly glase: {
    readonly url: string;
    readonly timeoutMs: number;
    readonly statusTimeoutMs: number;
    readonly notificationDeadlineMs: number;
    readonly clientId: string;
    readonly webshopId?: string | undefined;
  };
  readonly callerAuth: CallerAuthMode;
  readonly publicBaseUrl?: string | undefined;
  readonly shop: { readonly title: string; readonly cashierId: string; readonly footer: string };
  readonly defaultCurrency: string;
  readonly idempotencyTtlSeconds: number;
  readonly invoiceTtlSeconds: number;
  readonly openOrdersPerShopper: number;
  readonly secrets: {
    readonly terminal: SecretSource<TerminalSecret>;
    readonly signingKey: SecretSource<string>;
    readonly urlKey: SecretSource<string>;
  };
  readonly eventBusName?: string | undefined;
  readonly outboxFile?: string | undefined;
}

export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError';
}

/** Our own rules say why; zod's say "is missing" for an absent variable. */
function describe(issue: { code: string; input?: unknown; message: string }): string {
  if (issue.code === 'custom' || issue.input !== undefined) return issue.message;
  return 'is missing';
}

function source<T>(arn: string | undefined, value: T | undefined): SecretSource<T> {
  if (arn) return { arn };
  return value === undefined ? undefined : { value };
}

export function loadConfig(source_: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(source_);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '?')} ${describe(issue)}`);
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  const terminal =
    env.GLASE_TERMINAL_ID || env.GLASE_TERMINAL_PASSWORD
      ? {
          terminalId: env.GLASE_TERMINAL_ID ?? '',
          terminalPassword: env.GLASE_TERMINAL_PASSWORD ?? '',
          authSecret: env.GLASE_AUTH_SECRET,
        }
      : undefined;
  return {
    tables: { products: env.PRODUCTS_TABLE, orders: env.ORDERS_TABLE, idempotency: env.IDEMPOTENCY_TABLE },
    region: env.AWS_REGION,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
    glase: {
      url: env.GLASE_API_URL,
      timeoutMs: env.GLASE_TIMEOUT_MS,
      statusTimeoutMs: env.GLASE_STATUS_TIMEOUT_MS,
      notificationDeadlineMs: env.NOTIFICATION_DEADLINE_MS,
      clientId: env.GLASE_CLIENT_ID,
      webshopId: env.GLASE_WEBSHOP_ID,
    },
    callerAuth: env.CALLER_AUTH,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    shop: { title: env.SHOP_TITLE, cashierId: env.SHOP_CASHIER_ID, footer: env.SHOP_RECEIPT_FOOTER },
    defaultCurrency: env.DEFAULT_CURRENCY,
    idempotencyTtlSeconds: env.IDEMPOTENCY_TTL_SECONDS,
    invoiceTtlSeconds: env.INVOICE_TTL_SECONDS,
    openOrdersPerShopper: env.OPEN_ORDERS_PER_SHOPPER,
    secrets: {
      terminal: source(env.GLASE_CREDENTIALS_SECRET_ARN, terminal),
      signingKey: source(env.SIGNING_KEY_SECRET_ARN, env.NOTIFICATION_SIGNING_KEY),
      urlKey: source(env.URL_KEY_SECRET_ARN, env.CREATE_PURCHASE_URL_KEY),
    },
    eventBusName: env.EVENT_BUS_NAME,
    outboxFile: env.OUTBOX_FILE,
  };
}
