import type { OrderEventType } from '../../../contract/events.js';
import type { Order } from './order.js';

export type { OrderEventType } from '../../../contract/events.js';

/** Something that happened to an order, told to whoever listens (fulfilment, the shopper's mail). */
export interface OrderEvent {
  readonly type: OrderEventType;
  readonly order: Order;
}
