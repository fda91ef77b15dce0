import { existsSync, readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import type { Node } from 'constructs';
import { closest } from 'fastest-levenshtein';
import type { WebhooksEntry } from '../contract/environment.js';
import { WEBHOOK_EVENT_TYPES } from '../contract/events.js';
import { DEFAULT_CURRENCY } from '../contract/service.js';

/**
 * Everything a merchant chooses for a deployment, per stage, in a committed file
 * (`settings/<stage>.json`) so the next `cdk deploy` — after a `git pull`, on another laptop,
 * in CI — deploys the same shop. The stage is `-c stage=<name>` (or GLASE_CHECKOUT_STAGE) and
 * defaults to `demo`, whose file holds clearly fake values so `cdk synth` works on a clean clone.
 */
export interface CheckoutSettings {
  readonly stage: string;
  /** Demo values are refused unless the stage says it is a demo. */
  readonly demo: boolean;
  /**
   * The AWS account and region the stage lives in: a deploy from a profile for another account
   * or region is refused rather than building a second, empty shop there. Required unless demo.
   */
  readonly account?: string | undefined;
  readonly region?: string | undefined;
  /** CloudFormation termination protection; on for every stage that is not a demo. */
  readonly terminationProtection: boolean;
  /** The id Glase gave the shop; part of the caller token and the QR widget. */
  readonly webshopId: string;
  /** Shown on the invoice and the receipt in the Glase app. */
  readonly shopTitle: string;
  /** Glase Payment API endpoint (SOAP). */
  readonly glaseApiUrl: string;
  /** `url-key` (a secret key in the createPurchase URL), `token` (X-Auth-Token) or `none`. */
  readonly callerAuth: 'url-key' | 'token' | 'none';
  /** Only these source CIDRs may call the API (Glase's addresses); empty = anyone. */
  readonly allowedSourceIps: readonly string[];
  /** Where alarms go: a topic of the stack's own with this address subscribed, or an existing topic. */
  readonly alarms: { readonly email?: string | undefined; readonly topicArn?: string | undefined };
  /** Currency the CLI assumes for imported rows that name none. */
  readonly defaultCurrency: string;
  readonly cashierId?: string | undefined;
  readonly receiptFooter?: string | undefined;
  readonly invoiceTtlSeconds?: number | undefined;
  /** Minutes a refund may stay pending before the RefundsPendingOverdue alarm. */
  readonly refundPendingAlertMinutes?: number | undefined;
  readonly idempotencyTtlSeconds?: number | undefined;
  /** Unpaid orders of one product one shopper may hold at once (0: no limit). */
  readonly openOrdersPerShopper?: number | undefined;
  readonly logRetentionDays: number;
  /** `aws-owned` (default) or `customer-managed`: a KMS key of the stack's own for the tables. */
  readonly tableEncryption: 'aws-owned' | 'customer-managed';
  /** A WAF web ACL in front of the API (rate limits, body size cap, common rules), when set. */
  readonly waf?:
    | {
        /** Purchases and other requests per 5 minutes one address may make (allow-listed Glase exempt). */
        readonly rateLimit: number;
        /** Notifications per 5 minutes one address may send (allow-listed Glase exempt). */
        readonly notificationRateLimit: number;
      }
    | undefined;
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string } | undefined;
  /** Adds empty environment slots that `sam local --env-vars` can fill; never for a real deploy. */
  readonly samLocal: boolean;
  /** API Gateway's own limits, one bucket per route so neither can use up the other's. */
  readonly throttle: {
    readonly createPurchase: { readonly rateLimit: number; readonly burstLimit: number };
    readonly notification: { readonly rateLimit: number; readonly burstLimit: number };
  };
  /** After a notification, getPaymentStatus is retried this long (Glase reverses after 20 s). */
  readonly notificationDeadlineSeconds: number;
  /**
   * The shopper's order mails (lambda/checkout/order-mail.ts), off when absent: the sender, the
   * SES identity (a verified domain or address) that may send as it, and optional subjects.
   */
  readonly mail?: MailSettings | undefined;
  /** Reserved concurrency per function (unset: none; a new account may have too little to reserve). */
  readonly reservedConcurrency: {
    readonly createPurchase?: number | undefined;
    readonly notification?: number | undefined;
    readonly reconciler?: number | undefined;
  };
  /** How a new release of createPurchase and the notification function takes over (CodeDeploy). */
  readonly release: ReleaseStrategy;
  /**
   * Write units a second each table can take at once (DynamoDB warm throughput), for a planned
   * drop: a fresh on-demand table starts at 4,000 (docs/hot-products.md). Unset: DynamoDB's own.
   */
  readonly warmWrites: {
    readonly products?: number | undefined;
    readonly orders?: number | undefined;
    readonly idempotency?: number | undefined;
  };
  /** Who sells: the shopper's receipt (kvitto) and the SIE export name them. */
  readonly seller: {
    readonly name?: string | undefined;
    readonly orgNumber?: string | undefined;
    readonly address?: string | undefined;
  };
  /** BAS accounts for `orders export --format sie`, over the defaults: {receivable, sales: {rate: account}, vat: {rate: account}}. */
  readonly bookkeepingAccounts?: Readonly<Record<string, unknown>> | undefined;
  /** Days a closed order keeps its shopper's personal data (unset: the functions' default). */
  readonly personalDataRetentionDays?: number | undefined;
  /** Whether events on the bus and webhooks carry the shopper's name, address, e-mail and phone. */
  readonly eventsIncludeCustomer: boolean;
  /** Where order events are POSTed, signed; each endpoint's secret is generated at deploy. */
  readonly webhooks: readonly WebhookSettings[];
  /** The values as given (file and -c), for `doctor` to compare the deployed stack with the file. */
  readonly file: Readonly<Record<string, unknown>>;
}

/** An endpoint as the settings give it; the stack adds its generated secret (contract's WEBHOOKS). */
export type WebhookSettings = Omit<WebhooksEntry, 'secretArn'>;

/** A webhook endpoint's id: its host and path as letters, digits and hyphens. */
export function webhookId(url: string): string {
  const { hostname, pathname } = new URL(url);
  return `${hostname}${pathname}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 64);
}

export type ReleaseStrategy = 'canary' | 'linear' | 'all-at-once';
const RELEASE_STRATEGIES: readonly ReleaseStrategy[] = ['canary', 'linear', 'all-at-once'];

export interface MailSettings {
  readonly from: string;
  /** The address alone, without a display name. */
  readonly address: string;
  /** The SES identity the stack may send from: `mailIdentity`, or the sender address's domain. */
  readonly identity: string;
  readonly subjectPaid?: string | undefined;
  readonly subjectRefunded?: string | undefined;
}

export const CONTEXT_PREFIX = 'glase-checkout:';
export const DEFAULT_STAGE = 'demo';
const SETTINGS_DIR = new URL('../settings/', import.meta.url);
const EXAMPLE_FILE = new URL('example.json', SETTINGS_DIR);
/** Switches for one synth (`-c glase-checkout:samLocal=true`), never a stage's setting. */
const COMMAND_LINE_ONLY = new Set(['samLocal']);

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

type Read = (key: string) => unknown;

export interface ReadSettings {
  readonly settings: CheckoutSettings;
  /** Keys given with -c on the command line: they are not saved anywhere. */
  readonly overridden: readonly string[];
}

type ContextNode = Pick<Node, 'tryGetContext'> & Partial<Pick<Node, 'getAllContext'>>;

/** The stage's settings file, with any `-c glase-checkout:<key>=<value>` on top. */
export function readSettings(
  node: ContextNode,
  env: NodeJS.ProcessEnv = process.env,
  dir: URL = SETTINGS_DIR,
): ReadSettings {
  const stage = String(node.tryGetContext('stage') ?? env.GLASE_CHECKOUT_STAGE ?? DEFAULT_STAGE);
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new SettingsError(
      `stage "${stage}" must be 1-20 lower-case letters, digits or "-", starting with a letter`,
    );
  }
  const file = new URL(`${stage}.json`, dir);
  if (!existsSync(file)) {
    throw new SettingsError(
      `there is no settings/${stage}.json. Copy settings/example.json to settings/${stage}.json, fill it in and commit it.`,
    );
  }
  const saved = readJson(file, `settings/${stage}.json`);
  const givenOnCommandLine = Object.keys(node.getAllContext?.() ?? {})
    .filter((key) => key.startsWith(CONTEXT_PREFIX))
    .map((key) => key.slice(CONTEXT_PREFIX.length));
  const overridden: string[] = [];
  const read: Read = (key) => {
    const given = node.tryGetContext(`${CONTEXT_PREFIX}${key}`);
    if (given === undefined) return saved[key];
    overridden.push(key);
    return given;
  };
  const fileKeys = Object.keys(saved).filter((key) => !key.startsWith('$'));
  const settings = settingsFrom(read, stage, {
    given: [...fileKeys, ...givenOnCommandLine],
    commandLine: givenOnCommandLine,
  });
  return { settings, overridden: [...new Set(overridden)] };
}

function readJson(file: URL, name: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new SettingsError(`${name} is not a JSON object: ${(error as Error).message}`);
  }
}

/** Hosts that mark a value as made up: they never answer. */
const DEMO_HOST = /\.(invalid|example)$|^example\.|\.example\./;
/** A host name as DNS allows it: labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@([^@\s]+)$/;
/** Glase's webshop ids are opaque tokens: no spaces, nothing a URL or SOAP would need to escape. */
const WEBSHOP_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** The settings the merchant must write themselves: the example file's values for them are refused. */
const OWN_VALUES = [
  'account',
  'webshopId',
  'shopTitle',
  'glaseApiUrl',
  'allowedSourceIps',
  'alarmEmail',
  'alarmTopicArn',
  'domainName',
  'certificateArn',
  'mailFrom',
  'mailIdentity',
  'sellerName',
  'sellerOrgNumber',
  'sellerAddress',
  'webhooks',
] as const;

export interface GivenKeys {
  /** Every key the file and the command line hold: one the stack does not read is refused. */
  readonly given?: readonly string[];
  /** Keys from `-c glase-checkout:<key>`, where the one-synth switches are allowed. */
  readonly commandLine?: readonly string[];
}

export function settingsFrom(read: Read, stage = DEFAULT_STAGE, keys: GivenKeys = {}): CheckoutSettings {
  const problems: string[] = [];
  const known = new Set<string>();
  const value = (name: string): unknown => {
    known.add(name);
    return read(name);
  };
  const key = (name: string) => `${name} (settings/${stage}.json)`;
  const text = (name: string, fallback?: string): string => {
    const given = value(name);
    if (given === undefined || given === null || given === '') {
      if (fallback !== undefined) return fallback;
      problems.push(`${key(name)} is required`);
      return '';
    }
    if (typeof given !== 'string') {
      problems.push(`${key(name)} must be a string`);
      return '';
    }
    return given.trim();
  };
  const optionalText = (name: string): string | undefined => text(name, '') || undefined;
  const number = (name: string, fallback?: number): number | undefined => {
    const given = value(name);
    if (given === undefined || given === null || given === '') return fallback;
    const parsed = Number(given);
    if (!Number.isInteger(parsed) || parsed <= 0)
      problems.push(`${key(name)} must be a positive whole number`);
    return parsed;
  };
  const wholeOrZero = (name: string): number | undefined => {
    const given = value(name);
    if (given === undefined || given === null || given === '') return undefined;
    const parsed = Number(given);
    if (!Number.isInteger(parsed) || parsed < 0)
      problems.push(`${key(name)} must be a whole number, 0 for no limit`);
    return parsed;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const given = value(name);
    if (given === undefined || given === null || given === '') return fallback;
    if (given === true || given === 'true') return true;
    if (given === false || given === 'false') return false;
    problems.push(`${key(name)} must be true or false`);
    return fallback;
  };
  const list = (name: string): string[] => {
    const given = value(name);
    if (given === undefined || given === null || given === '') return [];
    const items = Array.isArray(given) ? given.map(String) : String(given).split(',');
    return items.map((item) => item.trim()).filter(Boolean);
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const given = text(name, fallback);
    if (!(allowed as readonly string[]).includes(given)) {
      problems.push(`${key(name)} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`);
      return fallback;
    }
    return given as T;
  };
  const email = (name: string, address: string, form = 'an e-mail address'): void => {
    const domain = EMAIL.exec(address)?.[1];
    if (!domain || !HOST_NAME.test(domain)) problems.push(`${key(name)} is not ${form} ("${address}")`);
  };

  const demo = flag('demo', false);
  const account = optionalText('account');
  if (account && !ACCOUNT.test(account)) problems.push(`${key('account')} must be a 12-digit AWS account id`);
  const region = optionalText('region');
  if (region && !REGION.test(region))
    problems.push(`${key('region')} is not an AWS region (e.g. eu-north-1)`);
  if (!demo && !account) problems.push(`${key('account')} is required: the AWS account this stage lives in`);
  if (!demo && !region) problems.push(`${key('region')} is required: the AWS region this stage lives in`);

  const webshopId = text('webshopId');
  if (webshopId && !WEBSHOP_ID.test(webshopId)) {
    problems.push(`${key('webshopId')} must be 1-64 letters, digits, ".", "_" or "-" ("${webshopId}")`);
  }
  const glaseApiUrl = text('glaseApiUrl');
  if (glaseApiUrl && !isHttpsUrl(glaseApiUrl)) {
    problems.push(`${key('glaseApiUrl')} must be an https URL with a host name and no spaces`);
  }
  const callerAuth = oneOf('callerAuth', ['url-key', 'token', 'none'] as const, 'url-key');
  const allowedSourceIps = list('allowedSourceIps');
  for (const cidr of allowedSourceIps) {
    if (!isIPv4Cidr(cidr)) {
      problems.push(`${key('allowedSourceIps')} has "${cidr}", which is not an IPv4 address or CIDR`);
    }
  }
  const alarmEmail = optionalText('alarmEmail');
  if (alarmEmail) email('alarmEmail', alarmEmail);
  const alarmTopicArn = optionalText('alarmTopicArn');
  if (alarmTopicArn && !TOPIC_ARN.test(alarmTopicArn)) {
    problems.push(`${key('alarmTopicArn')} must be an SNS topic ARN`);
  }
  if (!demo && !alarmEmail && !alarmTopicArn) {
    problems.push(
      `${key('alarmEmail')} (or alarmTopicArn) is required: a real stage's alarms must reach someone`,
    );
  }
  const defaultCurrency = text('defaultCurrency', DEFAULT_CURRENCY);
  if (!/^[A-Z]{3}$/.test(defaultCurrency))
    problems.push(`${key('defaultCurrency')} must be an ISO 4217 code`);
  const tableEncryption = oneOf('tableEncryption', ['aws-owned', 'customer-managed'] as const, 'aws-owned');
  const domainName = text('domainName', '');
  const certificateArn = text('certificateArn', '');
  if (Boolean(domainName) !== Boolean(certificateArn)) {
    problems.push(`${key('domainName')} and ${key('certificateArn')} go together`);
  }
  if (domainName && !HOST_NAME.test(domainName)) problems.push(`${key('domainName')} is not a host name`);
  if (certificateArn && !CERTIFICATE_ARN.test(certificateArn)) {
    problems.push(`${key('certificateArn')} must be an ACM certificate ARN`);
  }
  const mailFrom = text('mailFrom', '');
  // The address inside `Name <address>`, or the whole value.
  const mailAddress = /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom;
  if (mailFrom) email('mailFrom', mailAddress, 'an e-mail address or "Name <address>"');
  const mailIdentity = text('mailIdentity', '') || mailAddress.split('@')[1] || '';
  const subjectPaid = optionalText('mailSubjectPaid');
  const subjectRefunded = optionalText('mailSubjectRefunded');
  const mail: MailSettings | undefined = mailFrom
    ? { from: mailFrom, address: mailAddress, identity: mailIdentity, subjectPaid, subjectRefunded }
    : undefined;
  if (mail && !mailAddress.endsWith(`@${mail.identity}`) && mailAddress !== mail.identity) {
    problems.push(`${key('mailIdentity')} must be the sender's address or its domain (${mailAddress})`);
  }
  const notificationDeadlineSeconds = number('notificationDeadlineSeconds', 15) as number;
  if (notificationDeadlineSeconds > 18) {
    problems.push(`${key('notificationDeadlineSeconds')} must leave room inside Glase's 20 s (at most 18)`);
  }
  const waf = flag('waf', true);
  const wafRateLimit = number('wafRateLimit', 2000) as number;
  const wafNotificationRateLimit = number('wafNotificationRateLimit', 600) as number;
  for (const [name, limit] of [
    ['wafRateLimit', wafRateLimit],
    ['wafNotificationRateLimit', wafNotificationRateLimit],
  ] as const) {
    // WAF's own bounds for a rate-based rule.
    if (limit < 10 || limit > 2_000_000_000) problems.push(`${key(name)} must be between 10 and 2000000000`);
  }

  const sellerOrgNumber = optionalText('sellerOrgNumber');
  if (sellerOrgNumber && !/^\d{6}-\d{4}$/.test(sellerOrgNumber)) {
    problems.push(`${key('sellerOrgNumber')} must be a Swedish organisation number, 556677-8899`);
  }
  const bookkeepingAccounts = value('bookkeepingAccounts');
  if (bookkeepingAccounts !== undefined && bookkeepingAccounts !== null) {
    const accounts = bookkeepingAccounts as { receivable?: unknown; sales?: unknown; vat?: unknown };
    const named = [
      accounts.receivable,
      ...Object.values((accounts.sales ?? {}) as object),
      ...Object.values((accounts.vat ?? {}) as object),
    ].filter((account) => account !== undefined);
    const unknownKeys =
      typeof accounts === 'object'
        ? Object.keys(accounts).filter((name) => !['receivable', 'sales', 'vat'].includes(name))
        : [];
    if (
      typeof accounts !== 'object' ||
      Array.isArray(accounts) ||
      unknownKeys.length > 0 ||
      !named.every((account) => /^\d{4}$/.test(String(account)))
    ) {
      problems.push(
        `${key('bookkeepingAccounts')} must be {"receivable": "1580", "sales": {"25": "3001"}, "vat": {"25": "2611"}} with four-digit BAS accounts`,
      );
    }
  }
  const webhooks = webhookList(value('webhooks'), key, problems);

  const settings: CheckoutSettings = {
    stage,
    demo,
    account,
    region,
    terminationProtection: flag('terminationProtection', !demo),
    webshopId,
    shopTitle: text('shopTitle'),
    glaseApiUrl,
    callerAuth,
    allowedSourceIps,
    alarms: { email: alarmEmail, topicArn: alarmTopicArn },
    defaultCurrency,
    cashierId: optionalText('cashierId'),
    receiptFooter: optionalText('receiptFooter'),
    invoiceTtlSeconds: number('invoiceTtlSeconds'),
    refundPendingAlertMinutes: number('refundPendingAlertMinutes'),
    idempotencyTtlSeconds: number('idempotencyTtlSeconds'),
    openOrdersPerShopper: wholeOrZero('openOrdersPerShopper'),
    logRetentionDays: number('logRetentionDays', 90) as number,
    tableEncryption,
    waf: waf ? { rateLimit: wafRateLimit, notificationRateLimit: wafNotificationRateLimit } : undefined,
    customDomain: domainName && certificateArn ? { domainName, certificateArn } : undefined,
    samLocal: flag('samLocal', false),
    throttle: {
      createPurchase: {
        rateLimit: number('throttleRateLimit', 50) as number,
        burstLimit: number('throttleBurstLimit', 100) as number,
      },
      notification: {
        rateLimit: number('notificationThrottleRateLimit', 100) as number,
        burstLimit: number('notificationThrottleBurstLimit', 200) as number,
      },
    },
    notificationDeadlineSeconds,
    mail,
    reservedConcurrency: {
      createPurchase: number('createPurchaseReservedConcurrency'),
      notification: number('notificationReservedConcurrency'),
      reconciler: number('reconcilerReservedConcurrency'),
    },
    release: oneOf('releaseStrategy', RELEASE_STRATEGIES, demo ? 'all-at-once' : 'canary'),
    warmWrites: {
      products: number('productsWarmWriteUnits'),
      orders: number('ordersWarmWriteUnits'),
      idempotency: number('idempotencyWarmWriteUnits'),
    },
    seller: {
      name: optionalText('sellerName'),
      orgNumber: sellerOrgNumber,
      address: optionalText('sellerAddress'),
    },
    bookkeepingAccounts: (bookkeepingAccounts ?? undefined) as Record<string, unknown> | undefined,
    personalDataRetentionDays: number('personalDataRetentionDays'),
    eventsIncludeCustomer: flag('eventsIncludeCustomer', false),
    webhooks,
    file: {},
  };
  const file = Object.fromEntries(
    [...known]
      .filter((name) => !COMMAND_LINE_ONLY.has(name))
      .map((name) => [name, read(name)] as const)
      .filter(([, given]) => given !== undefined && given !== null && given !== ''),
  );

  for (const name of keys.given ?? []) {
    if (COMMAND_LINE_ONLY.has(name) && !(keys.commandLine ?? []).includes(name)) {
      problems.push(`${key(name)} is a one-synth switch (-c ${CONTEXT_PREFIX}${name}=true), not a setting`);
    } else if (!known.has(name)) {
      const near = closest(
        name,
        [...known].filter((each) => !COMMAND_LINE_ONLY.has(each)),
      );
      problems.push(`${key(name)} is not a setting: did you mean "${near}"?`);
    }
  }
  if (!demo) {
    const madeUp = [
      ['webshopId', /^demo\b|^demo-|^test-/.test(webshopId)],
      ['glaseApiUrl', DEMO_HOST.test(hostOf(glaseApiUrl))],
      ['alarmEmail', alarmEmail ? DEMO_HOST.test(alarmEmail.split('@')[1] ?? '') : false],
      ['mailFrom', mail ? DEMO_HOST.test(mail.identity) : false],
      ['domainName', DEMO_HOST.test(domainName)],
      ['webhooks', webhooks.some((endpoint) => DEMO_HOST.test(hostOf(endpoint.url)))],
    ].filter(([, isDemo]) => isDemo);
    for (const [name] of madeUp) {
      problems.push(
        `${key(String(name))} holds a demo value; a real stage needs real values (or set "demo": true)`,
      );
    }
    const example = existsSync(EXAMPLE_FILE) ? readJson(EXAMPLE_FILE, 'settings/example.json') : {};
    for (const name of OWN_VALUES) {
      const mine = read(name);
      if (mine !== undefined && mine !== null && JSON.stringify(mine) === JSON.stringify(example[name])) {
        problems.push(`${key(name)} still holds settings/example.json's text: put your own value in`);
      }
    }
  }
  if (problems.length > 0) {
    throw new SettingsError(`glase-checkout cannot be synthesized:\n  - ${problems.join('\n  - ')}`);
  }
  return { ...settings, file };
}

/** What the functions' and the stack's settings are read from, for the docs and example tests. */
export function settingNames(): string[] {
  const names = new Set<string>();
  try {
    settingsFrom((name) => {
      names.add(name);
      return undefined;
    });
  } catch {
    // Required values are missing: only which names were asked for matters.
  }
  return [...names];
}

/** At most this many endpoints: each is a secret and a POST per event. */
const MAX_WEBHOOKS = 5;

function webhookList(given: unknown, key: (name: string) => string, problems: string[]): WebhookSettings[] {
  const name = key('webhooks');
  if (given === undefined || given === null) return [];
  if (!Array.isArray(given)) {
    problems.push(`${name} must be a list of {"url": "https://…", "events": ["order.paid", …]}`);
    return [];
  }
  if (given.length > MAX_WEBHOOKS) problems.push(`${name} may list at most ${MAX_WEBHOOKS} endpoints`);
  const types = Object.values(WEBHOOK_EVENT_TYPES) as string[];
  const endpoints = given.flatMap((entry: unknown, index): WebhookSettings[] => {
    const where = (field: string) => key(`webhooks[${index}].${field}`);
    const { url, events, ...rest } = (entry ?? {}) as { url?: unknown; events?: unknown };
    if (typeof url !== 'string' || !isHttpsUrl(url)) {
      problems.push(`${where('url')} must be an https URL with a host name`);
      return [];
    }
    for (const extra of Object.keys(rest))
      problems.push(`${where(extra)} is not a webhook setting (url, events)`);
    const list = events === undefined ? [] : events;
    if (!Array.isArray(list) || !list.every((type) => types.includes(String(type)))) {
      problems.push(`${where('events')} must list some of ${types.join(', ')} (none: every one)`);
      return [];
    }
    return [{ id: webhookId(url), url, events: list.map(String) }];
  });
  const ids = endpoints.map((endpoint) => endpoint.id);
  for (const id of new Set(ids)) {
    if (ids.filter((each) => each === id).length > 1) problems.push(`${name} lists ${id} twice`);
  }
  return endpoints;
}

function isHttpsUrl(text: string): boolean {
  if (/\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && HOST_NAME.test(url.hostname) && !url.username && !url.password;
  } catch {
    return false;
  }
}

function isIPv4Cidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || !address || !isIPv4(address)) return false;
  return prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
