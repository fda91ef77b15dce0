import type { Order } from '../model/order.js';
import type { OrderEventType } from '../model/order-event.js';
import type { EventPublisher } from '../ports.js';

/**
 * Tells the world about a change already committed. Best effort: a lost event must not turn a
 * committed payment or refund into a failure for whoever asked (Glase, the operator); it is
 * logged, and the order itself remains the truth.
 */
export async function publishCommitted(
  deps: {
    readonly events: EventPublisher;
    readonly warn?: ((message: string, details: Record<string, unknown>) => void) | undefined;
  },
  type: OrderEventType,
  order: Order,
): Promise<void> {
  await deps.events.publish({ type, order }).catch((error: unknown) =>
    deps.warn?.('could not publish an order event', {
      type,
      orderId: order.orderId,
      error: (error as Error).name,
    }),
  );
}
