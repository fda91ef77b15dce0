import type { OrderEvent } from '../checkout/model/order-event.js';
import { orderEventView } from '../checkout/views/order-view.js';

/** The detail of an event on the bus or in the outbox: the order as events tell it. */
export function eventDetail(event: OrderEvent, includeCustomer = false) {
  return orderEventView(event.order, includeCustomer);
}
