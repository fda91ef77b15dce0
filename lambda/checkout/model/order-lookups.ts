import type { Order } from './order.js';
import { canonicalEmail, canonicalPhone } from './shopper.js';

/**
 * What finds an order besides its id: what a support call quotes (Glase's invoice, payment or
 * transaction reference, the shopper's e-mail or phone number) and whether a refund of it is
 * waiting for Glase's answer. Each is a key such as `invoice:17957…` or `email:ann@shop.se`; the
 * store keeps one small item per key and order, written in the same transaction as the order
 * change that makes it true, and finds orders by key through one index — never a scan.
 */
export interface LookupEntry {
  readonly key: string;
  /** Sorts entries under one key: the order's creation, or when its refund was asked for. */
  readonly at: string;
}

/** Orders whose refund is waiting for Glase's answer (`orders list --pending-refunds`). */
export const PENDING_REFUND = 'pending-refund';
/** Orders with events committed but not yet published (the reconciler publishes them). */
export const UNPUBLISHED_EVENTS = 'events-unpublished';

const email = (value: string) => `email:${canonicalEmail(value)}`;
const phone = (value: string) => `phone:${canonicalPhone(value)}`;

/** Every key that should find `order` as it is now. */
export function lookupEntriesOf(order: Order): LookupEntry[] {
  const at = order.createdAt;
  const keys = new Map<string, string>();
  if (order.customer.email.trim()) keys.set(email(order.customer.email), at);
  if (/\d/.test(order.customer.msisdn)) keys.set(phone(order.customer.msisdn), at);
  if (order.invoiceReference) keys.set(`invoice:${order.invoiceReference}`, at);
  if (order.paymentReference) keys.set(`payment:${order.paymentReference}`, at);
  if (order.ersReference) keys.set(`ers:${order.ersReference}`, at);
  for (const refund of order.refunds ?? []) {
    if (refund.ersReference) keys.set(`ers:${refund.ersReference}`, at);
  }
  const pending = order.refunds?.find((refund) => refund.refundId === order.pendingRefundId);
  if (pending) keys.set(PENDING_REFUND, pending.requestedAt);
  if (order.unpublished?.length) keys.set(UNPUBLISHED_EVENTS, order.updatedAt);
  return [...keys].map(([key, entryAt]) => ({ key, at: entryAt }));
}

/** The entries to write and to delete when an order goes from `before` (if any) to `after`. */
export function lookupChanges(
  before: Order | undefined,
  after: Order,
): { readonly add: LookupEntry[]; readonly remove: LookupEntry[] } {
  const old = before ? lookupEntriesOf(before) : [];
  const now = lookupEntriesOf(after);
  const same = (a: LookupEntry, b: LookupEntry) => a.key === b.key && a.at === b.at;
  return {
    add: now.filter((entry) => !old.some((kept) => same(kept, entry))),
    remove: old.filter((entry) => !now.some((kept) => same(kept, entry))),
  };
}

/**
 * The keys a search term may be: an e-mail address; otherwise any of Glase's references, or a
 * phone number when it has the digits of one. `orders find` asks for all of them at once.
 */
export function lookupKeysFor(term: string): string[] {
  const value = term.trim();
  if (value.includes('@')) return [email(value)];
  const keys = [`invoice:${value}`, `payment:${value}`, `ers:${value}`];
  if (/^\+?[\d ()-]{5,20}$/.test(value)) keys.push(phone(value));
  return keys;
}
