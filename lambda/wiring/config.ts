import type { EnvName, WebhooksEntry } from '../../contract/environment.js';
import { DEFAULT_CURRENCY } from '../../contract/service.js';
import type { MailSettings } from '../checkout/use-cases/order-mail.js';
import { type Accounts, BAS_ACCOUNTS } from '../checkout/views/books.js';
import type { SigningSecrets } from '../webhooks/signature.js';

/**
 * Every setting the functions read, validated once at cold start. A missing or malformed
 * variable stops the function with a message naming it, before any request is taken. Each
 * default is stated here and nowhere else.
 */
export const DEFAULTS = {
  /**
   * One DynamoDB attempt (the SDK makes three): DynamoDB answers in milliseconds, so an attempt
   * this slow is an outage, answered 503 rather than waited out to the function's timeout.
   */
  DYNAMODB_ATTEMPT_TIMEOUT_MS: 2000,
  /**
   * The share of a product's units on hand that unpaid invoices may hold at once (each stock
   * shard on its own): a hoarder with many e-mail addresses cannot hold it all while nobody pays.
   */
  HELD_SHARE_PERCENT: 50,
  GLASE_TIMEOUT_MS: 5000,
  /** Each getPaymentStatus attempt after a notification. */
  GLASE_STATUS_TIMEOUT_MS: 3000,
  /**
   * After a notification, getPaymentStatus is retried until this long after it arrived; Glase
   * reverses a payment nobody asked about within 20 s, so this stays well inside that.
   */
  NOTIFICATION_DEADLINE_MS: 15_000,
  GLASE_CLIENT_ID: 'glase-checkout',
  CALLER_AUTH: 'url-key',
  SHOP_TITLE: 'Webshop',
  SHOP_CASHIER_ID: 'webshop',
  SHOP_RECEIPT_FOOTER: 'Thank you for your purchase',
  DEFAULT_CURRENCY,
  IDEMPOTENCY_TTL_SECONDS: 600,
  /** Unpaid orders of one product one shopper (by e-mail or phone) may hold at once; 0: no limit. */
  OPEN_ORDERS_PER_SHOPPER: 1,
  INVOICE_TTL_SECONDS: 900,
  /** A refund Glase has not confirmed for this long raises the RefundsPendingOverdue alarm. */
  REFUND_PENDING_ALERT_MINUTES: 60,
  /**
   * How long a closed order keeps its shopper's name, address, e-mail and phone: three years,
   * Konsumentköplagen's time for a consumer to complain about goods. After it the order keeps what
   * Bokföringslagen needs for its seven years (amounts, VAT, dates, references, city, country).
   */
  PERSONAL_DATA_RETENTION_DAYS: 1095,
  /** The shopper's mails (order-mail.ts); `{orderId}` and `{shop}` are filled in. */
  MAIL_SUBJECT_PAID: 'Your order {orderId} at {shop}',
  MAIL_SUBJECT_REFUNDED: 'Refund for your order {orderId} at {shop}',
} as const;

export const CALLER_AUTH_MODES = ['url-key', 'token', 'none'] as const;
export type CallerAuthMode = (typeof CALLER_AUTH_MODES)[number];

/**
 * The environment, read by hand: a schema library would be built at every cold start for
 * twenty strings. Each reader records what is wrong under the variable's name and goes on, so
 * one error names every problem at once.
 */
class EnvironmentReader {
  readonly problems: string[] = [];
  constructor(private readonly source: NodeJS.ProcessEnv) {}

  /** Trimmed; empty counts as unset (sam local's env files blank what they replace). */
  optional(name: EnvName): string | undefined {
    const value = this.source[name]?.trim();
    return value ? value : undefined;
  }

  required(name: EnvName): string {
    const value = this.optional(name);
    if (value === undefined) this.problems.push(`${name} is missing`);
    return value ?? '';
  }

  text(name: EnvName, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  wholeNumber(name: EnvName, fallback: number, minimum: 0 | 1 = 1): number {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    const number = Number(value);
    if (Number.isSafeInteger(number) && number >= minimum) return number;
    this.problems.push(
      `${name} ${minimum === 1 ? 'must be a positive whole number' : 'must be a whole number, 0 for no limit'}`,
    );
    return fallback;
  }

  percent(name: EnvName, fallback: number): number {
    const value = this.wholeNumber(name, fallback);
    if (value <= 100) return value;
    this.problems.push(`${name} must be a whole number from 1 to 100`);
    return fallback;
  }

  oneOf<T extends string>(name: EnvName, choices: readonly T[], fallback: T): T {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${choices.join(', ')}`);
    return fallback;
  }

  matching(name: EnvName, pattern: RegExp, fallback: string, why: string): string {
    const value = this.optional(name) ?? fallback;
    if (!pattern.test(value)) this.problems.push(`${name} ${why}`);
    return value;
  }

  httpUrl(name: EnvName): string {
    const value = this.required(name);
    if (value === '') return value;
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
      this.problems.push(`${name} must be an http(s) URL`);
    }
    return value;
  }
}

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
  readonly dynamodbAttemptTimeoutMs: number;
  readonly heldSharePercent: number;
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
  readonly refundPendingAlertMinutes: number;
  readonly openOrdersPerShopper: number;
  readonly secrets: {
    readonly terminal: SecretSource<TerminalSecret>;
    readonly signingKey: SecretSource<string>;
    readonly urlKey: SecretSource<string>;
  };
  readonly eventBusName?: string | undefined;
  readonly outboxFile?: string | undefined;
  /** The shopper's mails: off (undefined) until MAIL_FROM is set. */
  readonly mail?: MailConfig | undefined;
  /** Who sells: a receipt (kvitto) names them; without a name and org number the mail says it is none. */
  readonly seller: { readonly name?: string; readonly orgNumber?: string; readonly address?: string };
  /** The accounts `orders export --format sie` books to: BAS, with any BOOKKEEPING_ACCOUNTS on top. */
  readonly accounts: Accounts;
  readonly personalDataRetentionDays: number;
  /** Whether events on the bus and webhooks carry the shopper's name, address, e-mail and phone. */
  readonly eventsIncludeCustomer: boolean;
  /** Where order events are also POSTed, signed (webhooks: none when empty). */
  readonly webhooks: readonly WebhookEndpoint[];
  /** Deployed: the queue the webhook function reads, whose messages it puts off until their retry. */
  readonly webhookQueueUrl?: string | undefined;
}

/** An endpoint of WEBHOOKS with where its secret comes from: deployed by ARN, locally WEBHOOK_SECRET. */
export interface WebhookEndpoint extends Omit<WebhooksEntry, 'secretArn'> {
  /** `{ "current": "…", "previous": "…" }` while a secret is rotated. */
  readonly secret: SecretSource<SigningSecrets>;
}

export interface MailConfig extends MailSettings {
  /** Locally: write each mail as an `.eml` file here instead of sending it through SES. */
  readonly directory?: string | undefined;
}

/** An address, or `Name <address>`: what SES and every mail client take as a sender. */
const SENDER = /^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)$/;

function mailConfig(env: EnvironmentReader): MailConfig | undefined {
  const from = env.optional('MAIL_FROM');
  if (from === undefined) return undefined;
  if (!SENDER.test(from)) env.problems.push('MAIL_FROM must be an e-mail address or "Name <address>"');
  return {
    from,
    subjects: {
      paid: env.text('MAIL_SUBJECT_PAID', DEFAULTS.MAIL_SUBJECT_PAID),
      refunded: env.text('MAIL_SUBJECT_REFUNDED', DEFAULTS.MAIL_SUBJECT_REFUNDED),
    },
    directory: env.optional('MAIL_DIR'),
  };
}

/** A Swedish organisation number: ten digits, a hyphen before the last four. */
const ORG_NUMBER = /^\d{6}-\d{4}$/;

function sellerConfig(env: EnvironmentReader): Config['seller'] {
  const orgNumber = env.optional('SELLER_ORG_NUMBER');
  if (orgNumber && !ORG_NUMBER.test(orgNumber)) {
    env.problems.push('SELLER_ORG_NUMBER must be a Swedish organisation number, 556677-8899');
  }
  const name = env.optional('SELLER_NAME');
  const address = env.optional('SELLER_ADDRESS');
  return { ...(name ? { name } : {}), ...(orgNumber ? { orgNumber } : {}), ...(address ? { address } : {}) };
}

function accountsConfig(env: EnvironmentReader): Accounts {
  const given = env.optional('BOOKKEEPING_ACCOUNTS');
  if (!given) return BAS_ACCOUNTS;
  let parsed: Partial<Accounts>;
  try {
    parsed = JSON.parse(given) as Partial<Accounts>;
  } catch {
    env.problems.push(
      'BOOKKEEPING_ACCOUNTS must be JSON: {"receivable":"1580","sales":{"25":"3001"},"vat":{"25":"2611"}}',
    );
    return BAS_ACCOUNTS;
  }
  const accounts: Accounts = {
    receivable: parsed.receivable ?? BAS_ACCOUNTS.receivable,
    sales: { ...BAS_ACCOUNTS.sales, ...parsed.sales },
    vat: { ...BAS_ACCOUNTS.vat, ...parsed.vat },
  };
  const all = [accounts.receivable, ...Object.values(accounts.sales), ...Object.values(accounts.vat)];
  if (!all.every((account) => /^\d{4}$/.test(String(account)))) {
    env.problems.push('BOOKKEEPING_ACCOUNTS must name four-digit BAS accounts');
  }
  return accounts;
}

/** Deployed: WEBHOOKS, a JSON list with each secret's ARN; locally: WEBHOOK_URL and WEBHOOK_SECRET. */
function webhooksConfig(env: EnvironmentReader): WebhookEndpoint[] {
  const local = env.optional('WEBHOOK_URL');
  if (local) {
    if (!URL.canParse(local) || !/^https?:$/.test(new URL(local).protocol)) {
      env.problems.push('WEBHOOK_URL must be an http(s) URL');
    }
    const secret = env.optional('WEBHOOK_SECRET');
    if (!secret) env.problems.push('WEBHOOK_SECRET is required with WEBHOOK_URL');
    return [
      { id: 'local', url: local, events: [], secret: secret ? { value: { current: secret } } : undefined },
    ];
  }
  const given = env.optional('WEBHOOKS');
  if (!given) return [];
  try {
    const list = JSON.parse(given) as WebhooksEntry[];
    const wellFormed = (endpoint: (typeof list)[number]) =>
      typeof endpoint.id === 'string' &&
      URL.canParse(endpoint.url) &&
      typeof endpoint.secretArn === 'string' &&
      (endpoint.events ?? []).every((type) => typeof type === 'string');
    if (!Array.isArray(list) || !list.every(wellFormed)) throw new Error('malformed');
    return list.map((endpoint) => ({
      id: endpoint.id,
      url: endpoint.url,
      events: endpoint.events ?? [],
      secret: { arn: endpoint.secretArn },
    }));
  } catch {
    env.problems.push('WEBHOOKS must be a JSON list of {id, url, events, secretArn}');
    return [];
  }
}

export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError';
}

function source<T>(arn: string | undefined, value: T | undefined): SecretSource<T> {
  if (arn) return { arn };
  return value === undefined ? undefined : { value };
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const env = new EnvironmentReader(environment);
  const terminalId = env.optional('GLASE_TERMINAL_ID');
  const terminalPassword = env.optional('GLASE_TERMINAL_PASSWORD');
  const terminal =
    terminalId || terminalPassword
      ? {
          terminalId: terminalId ?? '',
          terminalPassword: terminalPassword ?? '',
          authSecret: env.optional('GLASE_AUTH_SECRET'),
        }
      : undefined;
  const config: Config = {
    tables: {
      products: env.required('PRODUCTS_TABLE'),
      orders: env.required('ORDERS_TABLE'),
      idempotency: env.required('IDEMPOTENCY_TABLE'),
    },
    region: env.optional('AWS_REGION'),
    dynamodbEndpoint: env.optional('DYNAMODB_ENDPOINT'),
    dynamodbAttemptTimeoutMs: env.wholeNumber(
      'DYNAMODB_ATTEMPT_TIMEOUT_MS',
      DEFAULTS.DYNAMODB_ATTEMPT_TIMEOUT_MS,
    ),
    heldSharePercent: env.percent('HELD_SHARE_PERCENT', DEFAULTS.HELD_SHARE_PERCENT),
    glase: {
      url: env.httpUrl('GLASE_API_URL'),
      timeoutMs: env.wholeNumber('GLASE_TIMEOUT_MS', DEFAULTS.GLASE_TIMEOUT_MS),
      statusTimeoutMs: env.wholeNumber('GLASE_STATUS_TIMEOUT_MS', DEFAULTS.GLASE_STATUS_TIMEOUT_MS),
      notificationDeadlineMs: env.wholeNumber('NOTIFICATION_DEADLINE_MS', DEFAULTS.NOTIFICATION_DEADLINE_MS),
      clientId: env.text('GLASE_CLIENT_ID', DEFAULTS.GLASE_CLIENT_ID),
      webshopId: env.optional('GLASE_WEBSHOP_ID'),
    },
    callerAuth: env.oneOf('CALLER_AUTH', CALLER_AUTH_MODES, DEFAULTS.CALLER_AUTH),
    publicBaseUrl: env.optional('PUBLIC_BASE_URL'),
    shop: {
      title: env.text('SHOP_TITLE', DEFAULTS.SHOP_TITLE),
      cashierId: env.text('SHOP_CASHIER_ID', DEFAULTS.SHOP_CASHIER_ID),
      footer: env.text('SHOP_RECEIPT_FOOTER', DEFAULTS.SHOP_RECEIPT_FOOTER),
    },
    defaultCurrency: env.matching(
      'DEFAULT_CURRENCY',
      /^[A-Z]{3}$/,
      DEFAULTS.DEFAULT_CURRENCY,
      'must be an ISO 4217 code',
    ),
    idempotencyTtlSeconds: env.wholeNumber('IDEMPOTENCY_TTL_SECONDS', DEFAULTS.IDEMPOTENCY_TTL_SECONDS),
    invoiceTtlSeconds: env.wholeNumber('INVOICE_TTL_SECONDS', DEFAULTS.INVOICE_TTL_SECONDS),
    refundPendingAlertMinutes: env.wholeNumber(
      'REFUND_PENDING_ALERT_MINUTES',
      DEFAULTS.REFUND_PENDING_ALERT_MINUTES,
    ),
    openOrdersPerShopper: env.wholeNumber('OPEN_ORDERS_PER_SHOPPER', DEFAULTS.OPEN_ORDERS_PER_SHOPPER, 0),
    // Deployed, each secret lives in Secrets Manager and only its ARN is here; locally, the value.
    secrets: {
      terminal: source(env.optional('GLASE_CREDENTIALS_SECRET_ARN'), terminal),
      signingKey: source(env.optional('SIGNING_KEY_SECRET_ARN'), env.optional('NOTIFICATION_SIGNING_KEY')),
      urlKey: source(env.optional('URL_KEY_SECRET_ARN'), env.optional('CREATE_PURCHASE_URL_KEY')),
    },
    eventBusName: env.optional('EVENT_BUS_NAME'),
    outboxFile: env.optional('OUTBOX_FILE'),
    mail: mailConfig(env),
    seller: sellerConfig(env),
    accounts: accountsConfig(env),
    personalDataRetentionDays: env.wholeNumber(
      'PERSONAL_DATA_RETENTION_DAYS',
      DEFAULTS.PERSONAL_DATA_RETENTION_DAYS,
    ),
    eventsIncludeCustomer:
      env.oneOf('EVENTS_INCLUDE_CUSTOMER', ['true', 'false'] as const, 'false') === 'true',
    webhooks: webhooksConfig(env),
    webhookQueueUrl: env.optional('WEBHOOK_QUEUE_URL'),
  };
  if (env.problems.length > 0) {
    throw new ConfigurationError(`invalid configuration: ${env.problems.join('; ')}`);
  }
  return config;
}
