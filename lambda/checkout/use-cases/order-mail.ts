import type { MAILED_EVENTS } from '../../../contract/events.js';
import type { Mail } from '../model/mail.js';
import { formatMinor } from '../model/money.js';
import { linesOf, type Order, refundAnnounced } from '../model/order.js';
import type { OrderEventType } from '../model/order-event.js';
import { byRate, type RateShare, spreadOverRates } from '../model/vat.js';
import type { Mailer, MailLog } from '../ports.js';
import { stockholmTime } from '../views/books.js';

/**
 * The shopper's e-mail about an order, written once and rendered twice (plain text and HTML),
 * so the two can never say different things. Glase's guide: after the PAID commit "it would
 * also be a good idea to send email with order confirmation to customer".
 */

/** What a mail is about: the payment, or one refund of it. */
export type MailKind = 'paid' | 'refunded';

export interface MailSettings {
  /** The sender, an address (or `Name <address>`) the mail service may send from. */
  readonly from: string;
  /** Subjects; `{orderId}` and `{shop}` are filled in. */
  readonly subjects: Readonly<Record<MailKind, string>>;
}

/**
 * Who sells. A Swedish receipt (kvitto) and credit note name the seller, their organisation
 * number and address; without a name and an organisation number the mail is a confirmation and
 * says so, never a receipt it cannot be.
 */
export interface Seller {
  readonly name?: string | undefined;
  readonly orgNumber?: string | undefined;
  readonly address?: string | undefined;
}

export interface OrderMailDeps {
  readonly mailer: Mailer;
  readonly sent: MailLog;
  readonly settings: MailSettings;
  readonly shopTitle: string;
  readonly seller?: Seller | undefined;
  readonly now: () => Date;
}

/** How long a sent mail is remembered, so an event delivered again does not mail twice. */
export const MAIL_MEMORY_SECONDS = 30 * 86_400;
/**
 * How long a sender holds a mail's claim before another may take it over: longer than any one
 * attempt can take (the mail function times out after 30 s), so only a sender that died gives
 * its claim up this way, and its mail is sent by the retry instead of being lost.
 */
export const MAIL_LEASE_MS = 120_000;

/**
 * Which events mail the shopper. OrderCanceled does not: only an unpaid invoice is ever
 * canceled (a paid order's money goes back by refund), so the shopper was never charged.
 */
export const MAIL_FOR: Readonly<Record<(typeof MAILED_EVENTS)[number], MailKind>> = {
  OrderPaid: 'paid',
  OrderRefunded: 'refunded',
};

export type MailOutcome =
  | {
      readonly outcome: 'sent';
      readonly key: string;
      readonly location?: string | undefined;
      /** Sent, but not marked so: a retry after the lease would send it again. */
      readonly unmarked?: true | undefined;
    }
  | { readonly outcome: 'already-sent'; readonly key: string }
  | { readonly outcome: 'not-mailed'; readonly why: string };

/**
 * Mails the shopper about `order` once: the mail's key is claimed first, so an event delivered
 * twice (EventBridge and Lambda both retry) sends one mail; if sending fails the claim is given
 * back and the error goes to the caller, whose retry then sends it. A sender that dies between
 * claiming and marking the mail sent leaves a claim that lapses after MAIL_LEASE_MS: the retry
 * sends it then (at worst twice, if it died after SES took the mail; never not at all).
 */
export async function mailShopper(
  deps: OrderMailDeps,
  type: OrderEventType,
  order: Order,
): Promise<MailOutcome> {
  const kind = (MAIL_FOR as Partial<Record<OrderEventType, MailKind>>)[type];
  if (!kind) return { outcome: 'not-mailed', why: `${type} does not mail the shopper` };
  const refund = kind === 'refunded' ? refundAnnounced(order.refunds) : undefined;
  if (kind === 'refunded' && !refund) return { outcome: 'not-mailed', why: 'no confirmed refund' };
  // Erased on the shopper's request or by the retention period: there is no one to write to.
  if (order.forgottenAt || !order.customer.email) {
    return { outcome: 'not-mailed', why: 'the shopper has no address (personal data erased)' };
  }
  const key = `${order.orderId}#${kind}${refund ? `#${refund.refundId}` : ''}`;
  const now = deps.now().getTime();
  const lease = {
    now,
    leaseUntil: now + MAIL_LEASE_MS,
    expiresAt: Math.floor(now / 1000) + MAIL_MEMORY_SECONDS,
  };
  if (!(await deps.sent.claim(key, lease))) return { outcome: 'already-sent', key };
  const mail = composeMail(order, kind, deps.settings, deps.shopTitle, key, deps.seller);
  let location: string | undefined;
  try {
    ({ location } = await deps.mailer.send(mail));
  } catch (error) {
    await deps.sent.release(key);
    throw error;
  }
  // The mail is out: failing to record it must not send an error to a retry that would mail again.
  const marked = await deps.sent.markSent(key).then(
    () => true,
    () => false,
  );
  return { outcome: 'sent', key, location, ...(marked ? {} : { unmarked: true as const }) };
}

/** One template: paragraphs, a table of rows, then labelled facts. Rendered as text and as HTML. */
interface MailDocument {
  readonly greeting: string;
  readonly intro: readonly string[];
  readonly rows: readonly { readonly label: string; readonly amount: string }[];
  readonly total: { readonly label: string; readonly amount: string };
  /** VAT per rate, under the total: amount and the base it was charged on. */
  readonly taxes: readonly { readonly label: string; readonly amount: string }[];
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly closing: string;
}

export function composeMail(
  order: Order,
  kind: MailKind,
  settings: MailSettings,
  shopTitle: string,
  key: string,
  seller: Seller = {},
): Mail {
  const money = (minor: number) => `${formatMinor(minor)} ${order.currency}`;
  const { customer } = order;
  const refund = kind === 'refunded' ? refundAnnounced(order.refunds) : undefined;
  // A kvitto (or kreditnota) names who sells: without a name and an org number, only a confirmation.
  const receipt = Boolean(seller.name && seller.orgNumber);
  const address = [customer.street, `${customer.zip} ${customer.city}`, customer.state, customer.country]
    .map((part) => part.trim())
    .filter(Boolean)
    .join(', ');
  const lines = linesOf(order);
  const sale = byRate(lines);
  const taxes: RateShare[] = refund ? spreadOverRates(refund.amountMinor, sale) : sale;
  const when = refund?.completedAt ?? order.paidAt;
  const document: MailDocument = {
    greeting: `Hello ${customer.clientName},`,
    intro: refund
      ? [
          `${shopTitle} has refunded ${money(refund.amountMinor)} of your order ${order.orderId}.`,
          'The money goes back the way you paid, through Glase.',
          ...(receipt ? ['This is your credit note (kreditnota).'] : []),
        ]
      : [
          `Thank you for your order at ${shopTitle}. We have your payment, and this is your ${receipt ? 'receipt (kvitto)' : 'confirmation'}.`,
        ],
    rows: lines.map((line) => ({
      label: `${line.quantity} × ${line.description} (${line.sku}), ${line.taxRatePercent} % VAT`,
      amount: `${money(line.totalMinor)}${line.discountMinor ? ` (${money(line.discountMinor)} off)` : ''}`,
    })),
    total: refund
      ? { label: 'Refunded', amount: money(refund.amountMinor) }
      : { label: 'Total', amount: money(order.totalMinor) },
    taxes: taxes.map((rate) => ({
      label: `${refund ? 'VAT refunded' : 'VAT'} ${rate.ratePercent} %`,
      amount: `${money(rate.vatMinor)} of ${money(rate.netMinor)}`,
    })),
    facts: [
      ...(receipt
        ? [
            {
              label: 'Seller',
              value: [seller.name, `org. nr ${seller.orgNumber}`, seller.address].filter(Boolean).join(', '),
            },
          ]
        : []),
      ...(when
        ? [
            {
              label: refund ? 'Refunded on' : 'Paid on',
              value: `${stockholmTime(when).slice(0, 16)} (Stockholm)`,
            },
          ]
        : []),
      { label: 'Order', value: order.orderId },
      ...(refund ? [{ label: 'Order total', value: money(order.totalMinor) }] : []),
      { label: 'Delivery address', value: `${customer.clientName}, ${address}` },
      // The reference on the shopper's Glase receipt; the payment's ersReference where it has none.
      { label: 'Glase payment reference', value: order.paymentReference ?? order.ersReference ?? '-' },
      ...(refund ? [{ label: 'Glase refund reference', value: refund.ersReference ?? '-' }] : []),
    ],
    closing: shopTitle,
  };
  const subject = settings.subjects[kind]
    .replaceAll('{orderId}', order.orderId)
    .replaceAll('{shop}', shopTitle);
  return {
    key,
    from: settings.from,
    to: { name: customer.clientName, address: customer.email },
    subject,
    text: asText(document),
    html: asHtml(document, subject),
  };
}

function asText(document: MailDocument): string {
  const width = Math.max(
    ...[...document.rows, document.total, ...document.taxes].map((row) => row.label.length),
  );
  return [
    document.greeting,
    '',
    ...document.intro,
    '',
    ...document.rows.map((row) => `${row.label.padEnd(width)}  ${row.amount}`),
    `${document.total.label.padEnd(width)}  ${document.total.amount}`,
    ...document.taxes.map((row) => `${row.label.padEnd(width)}  ${row.amount}`),
    '',
    ...document.facts.map((fact) => `${fact.label}: ${fact.value}`),
    '',
    document.closing,
    '',
  ].join('\n');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** Everything a shopper typed is text in the HTML, never markup. */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);

function asHtml(document: MailDocument, title: string): string {
  const cell = 'style="padding:4px 8px;border-bottom:1px solid #ddd"';
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:sans-serif;color:#222">',
    `<p>${escapeHtml(document.greeting)}</p>`,
    ...document.intro.map((line) => `<p>${escapeHtml(line)}</p>`),
    '<table style="border-collapse:collapse">',
    ...document.rows.map(
      (row) =>
        `<tr><td ${cell}>${escapeHtml(row.label)}</td><td ${cell} align="right">${escapeHtml(row.amount)}</td></tr>`,
    ),
    `<tr><th ${cell} align="left">${escapeHtml(document.total.label)}</th><th ${cell} align="right">${escapeHtml(document.total.amount)}</th></tr>`,
    ...document.taxes.map(
      (row) =>
        `<tr><td ${cell}>${escapeHtml(row.label)}</td><td ${cell} align="right">${escapeHtml(row.amount)}</td></tr>`,
    ),
    '</table>',
    '<dl>',
    ...document.facts.map(
      (fact) => `<dt><b>${escapeHtml(fact.label)}</b></dt><dd>${escapeHtml(fact.value)}</dd>`,
    ),
    '</dl>',
    `<p>${escapeHtml(document.closing)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}
