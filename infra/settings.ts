import { existsSync, readFileSync } from 'node:fs';
import type { Node } from 'constructs';
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
  /** Alarms go to an SNS topic with this e-mail subscribed, when given. */
  readonly alarmEmail?: string | undefined;
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
  /** A WAF web ACL in front of the API (rate limit, body size cap, common rules). */
  readonly waf: boolean;
  /** Requests per 5 minutes one address may make (Glase's allow-listed ones and notifications are exempt). */
  readonly wafRateLimit: number;
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string } | undefined;
  /** Adds empty environment slots that `sam local --env-vars` can fill; never for a real deploy. */
  readonly samLocal: boolean;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
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
}

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

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

type Read = (key: string) => unknown;

export interface ReadSettings {
  readonly settings: CheckoutSettings;
  /** Keys given with -c on the command line: they are not saved anywhere. */
  readonly overridden: readonly string[];
}

/** The stage's settings file, with any `-c glase-checkout:<key>=<value>` on top. */
export function readSettings(node: Pick<Node, 'tryGetContext'>, env = process.env): ReadSettings {
  const stage = String(node.tryGetContext('stage') ?? env.GLASE_CHECKOUT_STAGE ?? DEFAULT_STAGE);
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new SettingsError(
      `stage "${stage}" must be 1-20 lower-case letters, digits or "-", starting with a letter`,
    );
  }
  const file = new URL(`${stage}.json`, SETTINGS_DIR);
  if (!existsSync(file)) {
    throw new SettingsError(
      `there is no settings/${stage}.json. Copy settings/example.json to settings/${stage}.json, fill it in and commit it.`,
    );
  }
  let saved: Record<string, unknown>;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new SettingsError(`settings/${stage}.json is not valid JSON: ${(error as Error).message}`);
  }
  const overridden: string[] = [];
  const read: Read = (key) => {
    const given = node.tryGetContext(`${CONTEXT_PREFIX}${key}`);
    if (given === undefined) return saved[key];
    overridden.push(key);
    return given;
  };
  return { settings: settingsFrom(read, stage), overridden };
}

/** Hosts that mark a value as made up: they never answer. */
const DEMO_HOST = /\.(invalid|example)$|^example\.|\.example\./;

export function settingsFrom(read: Read, stage = DEFAULT_STAGE): CheckoutSettings {
  const problems: string[] = [];
  const key = (name: string) => `${name} (settings/${stage}.json)`;
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
  const number = (name: string, fallback?: number): number | undefined => {
    const value = read(name);
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0)
      problems.push(`${key(name)} must be a positive whole number`);
    return parsed;
  };
  const wholeOrZero = (name: string): number | undefined => {
    const value = read(name);
    if (value === undefined || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
      problems.push(`${key(name)} must be a whole number, 0 for no limit`);
    return parsed;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = read(name);
    if (value === undefined || value === '') return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    problems.push(`${key(name)} must be true or false`);
    return fallback;
  };
  const list = (name: string): string[] => {
    const value = read(name);
    if (value === undefined || value === '') return [];
    const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
    return items.map((item) => item.trim()).filter(Boolean);
  };

  const demo = flag('demo', false);
  const glaseApiUrl = text('glaseApiUrl');
  if (glaseApiUrl && !/^https:\/\/[^\s/]+/.test(glaseApiUrl))
    problems.push(`${key('glaseApiUrl')} must be an https URL`);
  const callerAuth = text('callerAuth', 'url-key');
  if (!['url-key', 'token', 'none'].includes(callerAuth)) {
    problems.push(`${key('callerAuth')} must be url-key, token or none`);
  }
  const allowedSourceIps = list('allowedSourceIps');
  for (const cidr of allowedSourceIps) {
    if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(cidr)) {
      problems.push(`${key('allowedSourceIps')} has "${cidr}", which is not an IPv4 address or CIDR`);
    }
  }
  const alarmEmail = text('alarmEmail', '') || undefined;
  if (alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`${key('alarmEmail')} is not an e-mail address`);
  }
  const defaultCurrency = text('defaultCurrency', DEFAULT_CURRENCY);
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
  const mailFrom = text('mailFrom', '');
  // The address inside `Name <address>`, or the whole value.
  const mailAddress = /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom;
  if (mailFrom && !/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(mailAddress)) {
    problems.push(`${key('mailFrom')} must be an e-mail address or "Name <address>"`);
  }
  const mailIdentity = text('mailIdentity', '') || mailAddress.split('@')[1] || '';
  const subjectPaid = text('mailSubjectPaid', '') || undefined;
  const subjectRefunded = text('mailSubjectRefunded', '') || undefined;
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

  const settings: CheckoutSettings = {
    stage,
    demo,
    terminationProtection: flag('terminationProtection', !demo),
    webshopId: text('webshopId'),
    shopTitle: text('shopTitle'),
    glaseApiUrl,
    callerAuth: callerAuth as CheckoutSettings['callerAuth'],
    allowedSourceIps,
    alarmEmail,
    defaultCurrency,
    cashierId: text('cashierId', '') || undefined,
    receiptFooter: text('receiptFooter', '') || undefined,
    invoiceTtlSeconds: number('invoiceTtlSeconds'),
    refundPendingAlertMinutes: number('refundPendingAlertMinutes'),
    idempotencyTtlSeconds: number('idempotencyTtlSeconds'),
    openOrdersPerShopper: wholeOrZero('openOrdersPerShopper'),
    logRetentionDays: number('logRetentionDays', 90) as number,
    tableEncryption: tableEncryption as CheckoutSettings['tableEncryption'],
    waf: flag('waf', true),
    wafRateLimit: number('wafRateLimit', 2000) as number,
    customDomain: domainName && certificateArn ? { domainName, certificateArn } : undefined,
    samLocal: flag('samLocal', false),
    throttle: {
      rateLimit: number('throttleRateLimit', 50) as number,
      burstLimit: number('throttleBurstLimit', 100) as number,
    },
    notificationDeadlineSeconds,
    mail,
    reservedConcurrency: {
      createPurchase: number('createPurchaseReservedConcurrency'),
      notification: number('notificationReservedConcurrency'),
      reconciler: number('reconcilerReservedConcurrency'),
    },
  };
  if (!demo) {
    const made_up = [
      ['webshopId', /^demo\b|^demo-|^test-/.test(settings.webshopId)],
      ['glaseApiUrl', DEMO_HOST.test(hostOf(glaseApiUrl))],
      ['alarmEmail', alarmEmail ? DEMO_HOST.test(alarmEmail.split('@')[1] ?? '') : false],
      ['mailFrom', mail ? DEMO_HOST.test(mail.identity) : false],
    ].filter(([, isDemo]) => isDemo);
    for (const [name] of made_up) {
      problems.push(
        `${key(String(name))} holds a demo value; a real stage needs real values (or set "demo": true)`,
      );
    }
  }
  if (problems.length > 0) {
    throw new SettingsError(`glase-checkout cannot be synthesized:\n  - ${problems.join('\n  - ')}`);
  }
  return settings;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
