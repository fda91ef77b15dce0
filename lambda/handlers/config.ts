import * as z from 'zod/mini';

/**
 * Every setting the functions read, validated once at cold start. A missing or malformed
 * variable stops the function with a message naming it, before any request is taken.
 */
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
const withDefault = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);

const environmentSchema = z
  .object({
    PRODUCTS_TABLE: required,
    ORDERS_TABLE: required,
    IDEMPOTENCY_TABLE: required,
    DYNAMODB_ENDPOINT: optional,
    AWS_REGION: optional,
    GLASE_API_URL: z.url({ protocol: /^https?$/ }),
    GLASE_TIMEOUT_MS: positiveInt(5000),
    /** Each getPaymentStatus attempt after a notification. */
    GLASE_STATUS_TIMEOUT_MS: positiveInt(3000),
    /**
     * After a notification, getPaymentStatus is retried until this long after it arrived; Glase
     * reverses a payment nobody asked about within 20 s, so this stays well inside that.
     */
    NOTIFICATION_DEADLINE_MS: positiveInt(15_000),
    GLASE_CLIENT_ID: withDefault('glase-checkout'),
    GLASE_WEBSHOP_ID: optional,
    CALLER_AUTH: z._default(z.enum(['token', 'none']), 'token'),
    PUBLIC_BASE_URL: optional,
    SHOP_TITLE: withDefault('Webshop'),
    SHOP_CASHIER_ID: withDefault('webshop'),
    SHOP_RECEIPT_FOOTER: withDefault('Thank you for your purchase'),
    IDEMPOTENCY_TTL_SECONDS: positiveInt(600),
    INVOICE_TTL_SECONDS: positiveInt(900),
    /** Deployed: the Secrets Manager secret holding the values below, as JSON. */
    GLASE_SECRET_ARN: optional,
    GLASE_TERMINAL_ID: optional,
    GLASE_TERMINAL_PASSWORD: optional,
    GLASE_AUTH_SECRET: optional,
    NOTIFICATION_SIGNING_KEY: optional,
    EVENT_BUS_NAME: optional,
    OUTBOX_FILE: optional,
  })
  .check(
    z.superRefine((env, context) => {
      const need = (name: keyof typeof env, why: string) => {
        if (!env[name]) context.addIssue({ code: 'custom', path: [name], message: `is required ${why}` });
      };
      if (!env.GLASE_SECRET_ARN) {
        const why = 'when GLASE_SECRET_ARN is not set';
        need('GLASE_TERMINAL_ID', why);
        need('GLASE_TERMINAL_PASSWORD', why);
        need('NOTIFICATION_SIGNING_KEY', why);
        if (env.CALLER_AUTH === 'token') need('GLASE_AUTH_SECRET', 'when CALLER_AUTH=token');
      }
      if (env.CALLER_AUTH === 'token') need('GLASE_WEBSHOP_ID', 'when CALLER_AUTH=token');
    }),
  );

export type Environment = z.infer<typeof environmentSchema>;

export interface Config {
  readonly tables: { readonly products: string; readonly orders: string; readonly idempotency: string };
  readonly dynamodb: { readonly endpoint?: string | undefined; readonly region?: string | undefined };
  readonly glase: {
    readonly url: string;
    readonly timeoutMs: number;
    readonly statusTimeoutMs: number;
    readonly notificationDeadlineMs: number;
    readonly clientId: string;
    readonly webshopId?: string | undefined;
  };
  readonly callerAuth: 'token' | 'none';
  readonly publicBaseUrl?: string | undefined;
  readonly shop: { readonly title: string; readonly cashierId: string; readonly footer: string };
  readonly idempotencyTtlSeconds: number;
  readonly invoiceTtlSeconds: number;
  readonly secretArn?: string | undefined;
  /** Only outside AWS: secrets straight from the environment. */
  readonly localSecrets?: Secrets | undefined;
  readonly eventBusName?: string | undefined;
  readonly outboxFile?: string | undefined;
}

export interface Secrets {
  readonly terminalId: string;
  readonly terminalPassword: string;
  readonly authSecret?: string | undefined;
  readonly signingKey: string;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Our own rules say why; zod's say "is missing" for an absent variable. */
function describe(issue: { code: string; input?: unknown; message: string }): string {
  if (issue.code === 'custom' || issue.input !== undefined) return issue.message;
  return 'is missing';
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '?')} ${describe(issue)}`);
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  return {
    tables: { products: env.PRODUCTS_TABLE, orders: env.ORDERS_TABLE, idempotency: env.IDEMPOTENCY_TABLE },
    dynamodb: { endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION },
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
    idempotencyTtlSeconds: env.IDEMPOTENCY_TTL_SECONDS,
    invoiceTtlSeconds: env.INVOICE_TTL_SECONDS,
    secretArn: env.GLASE_SECRET_ARN,
    localSecrets: env.GLASE_SECRET_ARN
      ? undefined
      : {
          terminalId: env.GLASE_TERMINAL_ID ?? '',
          terminalPassword: env.GLASE_TERMINAL_PASSWORD ?? '',
          authSecret: env.GLASE_AUTH_SECRET,
          signingKey: env.NOTIFICATION_SIGNING_KEY ?? '',
        },
    eventBusName: env.EVENT_BUS_NAME,
    outboxFile: env.OUTBOX_FILE,
  };
}
