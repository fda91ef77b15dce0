/** Order events as they leave the functions: EventBridge (deployed) or the outbox file (local). */
export const EVENT_SOURCE = 'glase-checkout';
export const ORDER_EVENT_TYPES = ['OrderPaid', 'OrderCanceled', 'OrderRefunded'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
/** The events that mail the shopper (the stack routes only these to the mail function). */
export const MAILED_EVENTS = ['OrderPaid', 'OrderRefunded'] as const satisfies readonly OrderEventType[];

/** What a webhook calls each order event: the names merchants' code subscribes to. */
export const WEBHOOK_EVENT_TYPES = {
  OrderPaid: 'order.paid',
  OrderCanceled: 'order.canceled',
  OrderRefunded: 'order.refunded',
} as const satisfies Record<OrderEventType, string>;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[OrderEventType];
/** The header that carries a delivery's signature: `t=<unix s>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Glase-Checkout-Signature';
/**
 * Seconds to wait after the n-th failed webhook attempt: the first retry within 30 s, then
 * growing to 12 h (SQS's longest visibility timeout); 142,950 s (39.7 h) in all, so an endpoint
 * that is down for a day still gets every event. The stack's queue parks a message after one
 * receive per attempt (this list's length + 1).
 */
export const WEBHOOK_RETRY_SECONDS = [
  30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200, 43_200,
] as const;
