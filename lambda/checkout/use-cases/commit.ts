import type { Order } from '../model/order.js';
import { afterRejection, type Change } from '../plans/change.js';
import { changeOf, type LifecycleEvent, planChange } from '../plans/order-plan.js';
import type { Clock, Store, WriteBudget } from '../ports.js';

/**
 * Has the store apply a planned change. A rejection is read by the domain (`afterRejection`):
 * it throws the refusal the planner named, or the change is tried again without what may be
 * left out. Ends: every round drops or moves at least one write, or throws.
 */
export async function commit(store: Store, change: Change, budget: WriteBudget = {}): Promise<void> {
  let writes = change.writes;
  for (;;) {
    const rejection = await store.apply({ writes }, budget);
    if (!rejection) return;
    writes = afterRejection(writes, rejection);
  }
}

/** Plans what `event` does to `order`, has the store apply it; the order as written. */
export async function transition(
  deps: { readonly store: Store; readonly clock: Clock },
  order: Order,
  event: LifecycleEvent,
  budget: WriteBudget = {},
): Promise<Order> {
  const change = planChange(order, event, deps.clock.now());
  await commit(deps.store, changeOf(change), budget);
  return change.order;
}
