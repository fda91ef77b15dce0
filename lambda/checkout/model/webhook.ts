import { createHash } from 'node:crypto';
import type { WebhooksEntry } from '../../../contract/environment.js';
import {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_RETRY_SECONDS,
  type WebhookEventType,
} from '../../../contract/events.js';
import type { OrderEventType } from './order-event.js';

/**
 * A webhook: an order event POSTed, signed, to each of the merchant's endpoints that takes its
 * type, retried until every one answered 2xx or the retry schedule ran out. The delivery log keeps
 * one record per event: its body exactly as first sent (a retry and a redelivery send the same
 * bytes, the same id) and, per endpoint, how it went.
 */

export { WEBHOOK_RETRY_SECONDS } from '../../../contract/events.js';

/** How long the log keeps a delivery after its event: longer than any retry, long enough to redeliver. */
export const WEBHOOK_LOG_DAYS = 30;

export type EndpointState = 'pending' | 'delivered' | 'failed';

export interface EndpointDelivery {
  readonly url: string;
  readonly state: EndpointState;
  readonly attempts: number;
  /** `200`, `HTTP 500`, `timeout`, `network error`: what the last attempt got. */
  readonly lastStatus?: string | undefined;
  readonly lastAttemptAt?: string | undefined;
}

export interface WebhookDelivery {
  readonly eventId: string;
  readonly type: WebhookEventType;
  readonly orderId: string;
  /** Unix seconds: when the event was first recorded (the body's `created`). */
  readonly created: number;
  /** The JSON sent, byte for byte the same on every attempt. */
  readonly body: string;
  readonly endpoints: Readonly<Record<string, EndpointDelivery>>;
  /** Unix seconds of the next retry; absent when nothing is left to try. */
  readonly nextAttemptAt?: number | undefined;
}

/** Where the merchant wants events: an endpoint of WEBHOOKS without its secret. */
export type WebhookTarget = Omit<WebhooksEntry, 'secretArn'>;

export const webhookType = (type: OrderEventType): WebhookEventType => WEBHOOK_EVENT_TYPES[type];

export function takes(target: WebhookTarget, type: WebhookEventType): boolean {
  return target.events.length === 0 || target.events.includes(type);
}

/**
 * The event's id: the same for the same event however often it is published (a retried
 * notification, the outbox, EventBridge's own retries), so the endpoint can drop repeats. An
 * order is paid once and canceled once; each refund is its own event.
 */
export function webhookEventId(type: OrderEventType, orderId: string, refundId?: string): string {
  const digest = createHash('sha256')
    .update(`${type}\n${orderId}\n${refundId ?? ''}`)
    .digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}

/** The body POSTed: `{ id, type, created, data }`, data the order as events tell it. */
export function webhookBody(eventId: string, type: WebhookEventType, created: number, data: unknown): string {
  return JSON.stringify({ id: eventId, type, created, data });
}

/** When to try again after `attempts` failed attempts; undefined: the schedule has run out. */
export function retryAfterSeconds(attempts: number): number | undefined {
  return WEBHOOK_RETRY_SECONDS[attempts - 1];
}

/** What a 2xx is; anything else, a redirect included, is a failed attempt. */
export const delivered = (status: number) => status >= 200 && status < 300;
