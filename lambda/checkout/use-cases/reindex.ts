import { ORDER_STATUSES, type Order, type OrderStatus } from '../model/order.js';
import { lookupEntriesOf } from '../model/order-lookups.js';
import { planReindex } from '../plans/order-plan.js';
import type { Store } from '../ports.js';

/** Where a reindex stopped: the status it was in and the page of it, to resume from. */
export interface ReindexCursor {
  readonly status: OrderStatus;
  readonly page?: string | undefined;
}

export interface ReindexProgress {
  readonly status: OrderStatus;
  /** Orders whose lookup entries were written, in all. */
  readonly orders: number;
  /** Lookup entries written, in all (rewriting one that stood changes nothing). */
  readonly entries: number;
  /** Where to resume if the run stops after this page. */
  readonly next?: ReindexCursor | undefined;
}

/**
 * Writes every lookup entry of every order (`orders reindex`): for orders stored before the
 * lookup index, or before a kind of entry existed, which `orders find` and the pending-refund
 * count cannot see until then. Status by status, oldest first, a page at a time through the
 * status index (never a scan); idempotent, and resumable from the cursor any page reports.
 */
export async function reindexOrders(
  store: Store,
  options: { now: Date; from?: ReindexCursor | undefined; onPage?: (progress: ReindexProgress) => void },
): Promise<ReindexProgress> {
  const statuses = ORDER_STATUSES.slice(options.from ? ORDER_STATUSES.indexOf(options.from.status) : 0);
  let page = options.from?.page;
  let orders = 0;
  let entries = 0;
  let last: ReindexProgress = { status: statuses[0] ?? ORDER_STATUSES[0], orders, entries };
  for (const [index, status] of statuses.entries()) {
    do {
      const found = await store.listByStatus(status, options.now.toISOString(), page);
      for (const order of found.orders) {
        await store.apply(planReindex(order));
        orders += 1;
        entries += lookupEntriesOf(order).length;
      }
      page = found.nextPage;
      const following = statuses[index + 1];
      const next: ReindexCursor | undefined = page
        ? { status, page }
        : following
          ? { status: following }
          : undefined;
      last = { status, orders, entries, next };
      options.onPage?.(last);
    } while (page);
  }
  return last;
}

/**
 * Whether the oldest order of each status is found through its e-mail entry, which every
 * order has: one query per status and one lookup each. A reindex goes oldest first, so an order
 * before the index shows here first (`doctor`).
 */
export async function unindexedOrders(store: Store, now: Date): Promise<Order[]> {
  const oldest = await Promise.all(
    ORDER_STATUSES.map(async (status) => (await store.listByStatus(status, now.toISOString())).orders[0]),
  );
  const missing: Order[] = [];
  for (const order of oldest) {
    if (!order) continue;
    const [email] = lookupEntriesOf(order);
    if (!email) continue;
    const found = await store.findByLookup([email.key], { limit: 100, before: nextInstant(email.at) });
    if (!found.some((each) => each.orderId === order.orderId)) missing.push(order);
  }
  return missing;
}

/** Just after `at`, so `before` includes entries at `at` itself. */
function nextInstant(at: string): string {
  return `${at}~`;
}
