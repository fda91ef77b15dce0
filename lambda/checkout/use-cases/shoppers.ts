import { InvalidInputError } from '../model/errors.js';
import { CLOSED_STATUSES, type Order } from '../model/order.js';
import { canonicalEmail, canonicalPhone } from '../model/shopper.js';
import { webhookEventId } from '../model/webhook.js';
import { changeOf, planChange } from '../plans/order-plan.js';
import type { Clock, MailLog, Store, WebhookLog } from '../ports.js';
import { commit } from './commit.js';

/**
 * The shop's duties to a shopper's personal data (GDPR): tell them everything held about them
 * (Art. 15), erase it on request (Art. 17) and on its own once it is no longer needed (storage
 * limitation) — while keeping what Bokföringslagen requires for seven years: the amounts, VAT,
 * dates and references of every sale and refund.
 */
export interface ShopperDeps {
  readonly store: Store;
  readonly mailLog: MailLog;
  /** The webhook delivery log: its bodies carry the shopper when EVENTS_INCLUDE_CUSTOMER is on. */
  readonly webhookLog: WebhookLog;
  readonly clock: Clock;
}

/** Who an access or erasure request is about: an e-mail address, or a phone number. */
export function shopperLookupKey(term: string): string {
  const value = term.trim();
  if (value.includes('@')) return `email:${canonicalEmail(value)}`;
  const digits = canonicalPhone(value);
  if (digits.length < 5) {
    throw new InvalidInputError([{ field: 'shopper', message: 'give an e-mail address or a phone number' }]);
  }
  return `phone:${digits}`;
}

/** What is held about one order's shopper besides the order: the mails sent to them. */
const mailKeys = (order: Order) => [
  `${order.orderId}#paid`,
  ...(order.refunds ?? []).map((refund) => `${order.orderId}#refunded#${refund.refundId}`),
];

/** The webhook events an order can have had: paid or canceled once, each refund its own. */
const webhookEventIds = (order: Order) => [
  webhookEventId('OrderPaid', order.orderId),
  webhookEventId('OrderCanceled', order.orderId),
  ...(order.refunds ?? []).map((refund) => webhookEventId('OrderRefunded', order.orderId, refund.refundId)),
];

const EVERY = 10_000;

export interface ShopperRecords {
  readonly shopper: string;
  readonly orders: readonly Order[];
  readonly lookupKeys: readonly string[];
  readonly mails: readonly { key: string; state: string }[];
  /** The webhook deliveries about their orders still in the log (kept 30 days). */
  readonly webhookDeliveries: readonly { eventId: string; type: string; orderId: string; body: string }[];
}

/** Everything the shop holds about a shopper, found the way support finds orders: by lookup. */
export async function shopperRecords(deps: ShopperDeps, term: string): Promise<ShopperRecords> {
  const key = shopperLookupKey(term);
  const orders = await deps.store.findByLookup([key], { limit: EVERY });
  const mails = await deps.mailLog.records(orders.flatMap(mailKeys));
  const deliveries = await Promise.all(orders.flatMap(webhookEventIds).map((id) => deps.webhookLog.get(id)));
  const webhookDeliveries = deliveries.flatMap((delivery) =>
    delivery
      ? [{ eventId: delivery.eventId, type: delivery.type, orderId: delivery.orderId, body: delivery.body }]
      : [],
  );
  return { shopper: key, orders, lookupKeys: [key], mails, webhookDeliveries };
}

export interface Forgotten {
  /** Orders whose shopper data is now erased. */
  readonly forgotten: readonly string[];
  /** Orders still open (reserved or invoiced): erased once they close, by retention or on request. */
  readonly open: readonly string[];
  readonly mailsForgotten: number;
  readonly webhookDeliveriesForgotten: number;
}

/**
 * Erases a shopper's name, street, zip, state, e-mail and phone from every closed order of theirs,
 * with the lookup items that found them and the record of the mails sent to them. Amounts, VAT,
 * dates, references, city and country stay for the books. Idempotent: an order already forgotten
 * is no longer found by the shopper's address.
 */
export async function forgetShopper(deps: ShopperDeps, term: string): Promise<Forgotten> {
  const { orders, mails, webhookDeliveries } = await shopperRecords(deps, term);
  const forgotten: string[] = [];
  const open: string[] = [];
  let mailsForgotten = 0;
  let webhookDeliveriesForgotten = 0;
  for (const order of orders) {
    if (!(CLOSED_STATUSES as readonly string[]).includes(order.status)) {
      open.push(order.orderId);
      continue;
    }
    await erase(deps, order);
    // What the access read found is what went: no second read of the logs.
    const keys = mailKeys(order);
    mailsForgotten += mails.filter((mail) => keys.includes(mail.key)).length;
    webhookDeliveriesForgotten += webhookDeliveries.filter(
      (delivery) => delivery.orderId === order.orderId,
    ).length;
    forgotten.push(order.orderId);
  }
  return { forgotten, open, mailsForgotten, webhookDeliveriesForgotten };
}

/** One closed order's shopper, everywhere the shop keeps them: the order, its mail records, its webhook bodies. */
async function erase(deps: ShopperDeps, order: Order): Promise<void> {
  await commit(deps.store, changeOf(planChange(order, { type: 'forgotten' }, deps.clock.now())));
  await deps.mailLog.forget(mailKeys(order));
  await deps.webhookLog.forget(webhookEventIds(order));
}

/** How far past the retention cutoff a scheduled run looks: a day of the schedule off is covered twice. */
export const RETENTION_WINDOW_DAYS = 2;

export interface RetentionRun {
  readonly forgotten: number;
  readonly scanned: number;
}

/**
 * The retention period: closed orders created more than `days` ago lose their shopper's personal
 * data. Runs on the reconciler's schedule over the last `windowDays` before the cutoff (each run
 * finds what crossed it since the last); `windowDays` undefined goes back to the beginning (after
 * the setting was lowered, or the schedule was off). At most `limit` orders a run; idempotent.
 */
export async function applyRetention(
  deps: ShopperDeps,
  options: { days: number; windowDays?: number | undefined; limit?: number },
): Promise<RetentionRun> {
  const now = deps.clock.now().getTime();
  const cutoff = new Date(now - options.days * 86_400_000).toISOString();
  const since =
    options.windowDays === undefined
      ? undefined
      : new Date(now - (options.days + options.windowDays) * 86_400_000).toISOString();
  const limit = options.limit ?? 100;
  let forgotten = 0;
  let scanned = 0;
  for (const status of CLOSED_STATUSES) {
    let page: string | undefined;
    do {
      const result = await deps.store.listByStatus(status, cutoff, page, since);
      for (const order of result.orders) {
        scanned += 1;
        if (order.forgottenAt) continue;
        await erase(deps, order);
        forgotten += 1;
        if (forgotten >= limit) return { forgotten, scanned };
      }
      page = result.nextPage;
    } while (page);
  }
  return { forgotten, scanned };
}
