import { AmbiguousOrderError, OrderNotFoundError } from '../model/errors.js';
import type { Order } from '../model/order.js';
import { lookupKeysFor } from '../model/order-lookups.js';
import type { Store } from '../ports.js';

/** What an operator's search term may be besides our order id. */
export const SEARCHED = 'order id, Glase invoice/payment/ers reference, e-mail, phone';

/** Our order id first; otherwise what a support call quotes, through the lookup index. */
export async function findOrders(store: Store, term: string, limit: number): Promise<Order[]> {
  const byId = await store.getOrder(term.trim());
  return byId ? [byId] : store.findByLookup(lookupKeysFor(term), { limit });
}

/** The one order a term names: none and several are refusals that say what was searched, or which. */
export async function oneOrder(store: Store, term: string): Promise<Order> {
  const found = await findOrders(store, term, 10);
  const [order] = found;
  if (!order) throw new OrderNotFoundError(term, SEARCHED);
  if (found.length > 1)
    throw new AmbiguousOrderError(
      term,
      found.map((each) => each.orderId),
    );
  return order;
}
