import type { OrderEvent } from '../checkout/model/order-event.js';
import { orderView } from '../checkout/views/order-view.js';

/** The event body a merchant's fulfilment or e-mail code receives: the public order shape. */
export function eventDetail(event: OrderEvent) {
  return orderView(event.order);
}
