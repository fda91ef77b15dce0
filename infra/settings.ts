import type { Node } from 'constructs';

/**
 * Everything a merchant chooses for a deployment, read from CDK context
 * (`cdk deploy -c glase-checkout:webshopId=…`) and checked before anything is built.
 */
export interface CheckoutSettings {
  /** The id Glase gave the shop; part of the caller token and the QR widget. */
  readonly webshopId: string;
  /** Shown on the invoice and the receipt in the Glase app. */
  readonly shopTitle: string;
  /** Glase Payment API endpoint (SOAP). */
  readonly glaseApiUrl: string;
  /** `token` checks X-Auth-Token on createPurchase; `none` only if another layer authenticates Glase. */
  readonly callerAuth: 'token' | 'none';
  /** Only these source CIDRs may call the API (Glase's addresses); empty = anyone. */
  readonly allowedSourceIps: readonly string[];
  /** Alarms go to an SNS topic with this e-mail subscribed, when given. */
  readonly alarmEmail?: string | undefined;
  /** Currency the CLI assumes for imported rows that name none. */
  readonly defaultCurrency: string;
  readonly cashierId: string;
  readonly receiptFooter: string;
  readonly invoiceTtlSeconds: number;
  readonly idempotencyTtlSeconds: number;
  readonly logRetentionDays: number;
  /** `aws-owned` (default) or `customer-managed`: a KMS key of the stack's own for the tables. */
  readonly tableEncryption: 'aws-owned' | 'customer-managed';
  /** A WAF web ACL in front of the API (rate limit, body size cap, common rules). */
  readonly waf: boolean;
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string } | undefined;
  /** Adds empty environment slots that `sam local --env-vars` can fill; never for a real deploy. */
  readonly samLocal: boolean;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** After a notification, getPaymentStatus is retried this long (Glase reverses after 20 s). */
  readonly notificationDeadlineSeconds: number;
  /** Reserved concurrency for the notification function, so a purchase burst cannot starve it. */
  readonly notificationReservedConcurrency?: number | undefined;
}

export const CONTEXT_PREFIX = 'glase-checkout:';

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

type Read = (key: string) => unknown;

/** Reads and validates the settings; a missing or malformed value names its context key. */
export function readSettings(node: Pick<Node, 'tryGetContext'>): CheckoutSettings {
  const read: Read = (key) => node.tryGetContext(`${CONTEXT_PREFIX}${key}`);
  return settingsFrom(read);
}

export function settingsFrom(read: Read): CheckoutSettings {
  const problems: string[] = [];
  const key = (name: string) => `${CONTEXT_PREFIX}${name}`;
  const text = (name: string, fallback?: string): string => {
    const value = read(name);
    if (value === undefined || value === null || value === '') {
      if (fallback !== undefined) return fallback;
      problems.push(`${key(name)} is required`);
      return '';
    }
    if (typeof value !== 'string') {
      problems.push(`${key(name)} must be a string`);
      return '';
    }
    return value.trim();
  };
  const number = (name: string, fallback: number): number => {
    const value = read(name);
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0)
      problems.push(`${key(name)} must be a positive whole number`);
    return parsed;
  };
  const optionalNumber = (name: string): number | undefined => {
    const value = read(name);
    return value === undefined || value === '' ? undefined : number(name, 0);
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = read(name);
    if (value === undefined || value === '') return fallback;
    return value === true || value === 'true';
  };
  const list = (name: string): string[] => {
    const value = read(name);
    if (value === undefined || value === '') return [];
    const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
    return items.map((item) => item.trim()).filter(Boolean);
  };

  const glaseApiUrl = text('glaseApiUrl');
  if (glaseApiUrl && !/^https:\/\/[^\s/]+/.test(glaseApiUrl))
    problems.push(`${key('glaseApiUrl')} must be an https URL`);
  const callerAuth = text('callerAuth', 'token');
  if (callerAuth !== 'token' && callerAuth !== 'none')
    problems.push(`${key('callerAuth')} must be token or none`);
  const allowedSourceIps = list('allowedSourceIps');
  for (const cidr of allowedSourceIps) {
    if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(cidr)) {
      problems.push(`${key('allowedSourceIps')} has "${cidr}", which is not an IPv4 address or CIDR`);
    }
  }
  const alarmEmail = text('alarmEmail', '') || undefined;
  if (alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail))
    problems.push(`${key('alarmEmail')} is not an e-mail address`);
  const defaultCurrency = text('defaultCurrency', 'SEK');
  if (!/^[A-Z]{3}$/.test(defaultCurrency))
    problems.push(`${key('defaultCurrency')} must be an ISO 4217 code`);
  const tableEncryption = text('tableEncryption', 'aws-owned');
  if (tableEncryption !== 'aws-owned' && tableEncryption !== 'customer-managed') {
    problems.push(`${key('tableEncryption')} must be aws-owned or customer-managed`);
  }
  const domainName = text('domainName', '');
  const certificateArn = text('certificateArn', '');
  if (Boolean(domainName) !== Boolean(certificateArn)) {
    problems.push(`${key('domainName')} and ${key('certificateArn')} go together`);
  }

  const settings: CheckoutSettings = {
    webshopId: text('webshopId'),
    shopTitle: text('shopTitle'),
    glaseApiUrl,
    callerAuth: callerAuth as CheckoutSettings['callerAuth'],
    allowedSourceIps,
    alarmEmail,
    defaultCurrency,
    cashierId: text('cashierId', 'webshop'),
    receiptFooter: text('receiptFooter', 'Thank you for your purchase'),
    invoiceTtlSeconds: number('invoiceTtlSeconds', 900),
    idempotencyTtlSeconds: number('idempotencyTtlSeconds', 600),
    logRetentionDays: number('logRetentionDays', 90),
    tableEncryption: tableEncryption as CheckoutSettings['tableEncryption'],
    waf: flag('waf', true),
    customDomain: domainName && certificateArn ? { domainName, certificateArn } : undefined,
    samLocal: flag('samLocal', false),
    throttle: { rateLimit: number('throttleRateLimit', 50), burstLimit: number('throttleBurstLimit', 100) },
    notificationDeadlineSeconds: number('notificationDeadlineSeconds', 15),
    notificationReservedConcurrency: optionalNumber('notificationReservedConcurrency'),
  };
  if (settings.notificationDeadlineSeconds > 18)
    problems.push(`${key('notificationDeadlineSeconds')} must leave room inside Glase's 20 s (at most 18)`);
  if (problems.length > 0) {
    throw new SettingsError(
      `glase-checkout cannot be synthesized:\n  - ${problems.join('\n  - ')}\n` +
        'Set them in cdk.json or on the command line, e.g. cdk deploy -c glase-checkout:webshopId=my-shop',
    );
  }
  return settings;
}
