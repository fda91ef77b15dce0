import type { Order } from './order.js';
import { type LifecycleEvent, type OrderChange, planChange } from './order-plan.js';
import type { Clock, OrderStore } from './ports.js';

/** Plans what `event` does to `order` and has the store apply it; the order as written. */
export async function transition(
  deps: { readonly orders: OrderStore; readonly clock: Clock },
  order: Order,
  event: LifecycleEvent,
): Promise<Order> {
  const change: OrderChange = planChange(order, event, deps.clock.now());
  await deps.orders.apply(change);
  return change.order;
}
