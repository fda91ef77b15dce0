import { orderView } from '../checkout/order-view.js';
import type { OrderEvent } from '../checkout/ports.js';

export const EVENT_SOURCE = 'glase-checkout';

/** The event body a merchant's fulfilment or e-mail code receives: the public order shape. */
export function eventDetail(event: OrderEvent) {
  return orderView(event.order);
}
