/** Order events as they leave the functions: EventBridge (deployed) or the outbox file (local). */
export const EVENT_SOURCE = 'glase-checkout';
export const ORDER_EVENT_TYPES = ['OrderPaid', 'OrderCanceled', 'OrderRefunded'] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
/** The events that mail the shopper (the stack routes only these to the mail function). */
export const MAILED_EVENTS = ['OrderPaid', 'OrderRefunded'] as const satisfies readonly OrderEventType[];
