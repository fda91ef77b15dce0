import { refundAnnounced } from '../model/order.js';
import type { OrderEventType } from '../model/order-event.js';
import {
  delivered,
  type EndpointDelivery,
  retryAfterSeconds,
  takes,
  WEBHOOK_LOG_DAYS,
  type WebhookDelivery,
  type WebhookTarget,
  webhookBody,
  webhookEventId,
  webhookType,
} from '../model/webhook.js';
import type { Clock, PostOutcome, WebhookLog, WebhookPoster } from '../ports.js';

export interface WebhookDeps {
  readonly log: WebhookLog;
  readonly poster: WebhookPoster;
  readonly targets: readonly WebhookTarget[];
  readonly clock: Clock;
}

/** An order event as a webhook needs it: its type and the order as events tell it. */
export interface WebhookSource {
  readonly type: OrderEventType;
  readonly data: {
    readonly orderId: string;
    readonly refunds?: readonly {
      readonly refundId: string;
      readonly status: string;
      readonly completedAt?: string | null;
    }[];
  };
}

const seconds = (clock: Clock) => Math.floor(clock.now().getTime() / 1000);

/**
 * Records an order event in the delivery log for every endpoint that takes its type, once
 * however often it is published. Undefined when no endpoint takes it.
 */
export async function recordWebhook(
  deps: WebhookDeps,
  source: WebhookSource,
): Promise<WebhookDelivery | undefined> {
  const type = webhookType(source.type);
  const targets = deps.targets.filter((target) => takes(target, type));
  if (targets.length === 0) return undefined;
  const refundId =
    source.type === 'OrderRefunded' ? refundAnnounced(source.data.refunds)?.refundId : undefined;
  const eventId = webhookEventId(source.type, source.data.orderId, refundId);
  const created = seconds(deps.clock);
  const delivery: WebhookDelivery = {
    eventId,
    type,
    orderId: source.data.orderId,
    created,
    body: webhookBody(eventId, type, created, source.data),
    endpoints: Object.fromEntries(
      targets.map((target) => [target.id, { url: target.url, state: 'pending', attempts: 0 }]),
    ),
    nextAttemptAt: created,
  };
  return deps.log.record(delivery, created + WEBHOOK_LOG_DAYS * 86_400);
}

export type AttemptResult =
  | { readonly outcome: 'delivered'; readonly eventId: string }
  | { readonly outcome: 'retry'; readonly eventId: string; readonly retryAfterSeconds: number }
  | { readonly outcome: 'gave-up'; readonly eventId: string }
  | { readonly outcome: 'unknown'; readonly eventId: string };

const statusText = (outcome: PostOutcome) =>
  'status' in outcome
    ? delivered(outcome.status)
      ? String(outcome.status)
      : `HTTP ${outcome.status}`
    : outcome.failure;

/**
 * One attempt at every endpoint of the event that has not yet answered 2xx (a poster's throw
 * counts as a failed attempt). Answers when to try again, by the endpoint that has failed most.
 */
export async function attemptWebhook(deps: WebhookDeps, eventId: string): Promise<AttemptResult> {
  const delivery = await deps.log.get(eventId);
  return delivery ? attempt(deps, delivery) : { outcome: 'unknown', eventId };
}

/** The attempt itself, on a record already read (or just written). */
async function attempt(deps: WebhookDeps, delivery: WebhookDelivery): Promise<AttemptResult> {
  const { eventId } = delivery;
  // The schedule counts from when the attempt started, however long the endpoints took.
  const started = deps.clock.now();
  const at = started.toISOString();
  const startedSeconds = Math.floor(started.getTime() / 1000);
  const endpoints: Record<string, EndpointDelivery> = { ...delivery.endpoints };
  await Promise.all(
    Object.entries(delivery.endpoints)
      .filter(([, endpoint]) => endpoint.state !== 'delivered')
      .map(async ([id, endpoint]) => {
        const outcome = await deps.poster
          .post(id, endpoint.url, delivery.body)
          .catch((): PostOutcome => ({ failure: 'network error' }));
        const ok = 'status' in outcome && delivered(outcome.status);
        endpoints[id] = {
          url: endpoint.url,
          state: ok ? 'delivered' : 'failed',
          attempts: endpoint.attempts + 1,
          lastStatus: statusText(outcome),
          lastAttemptAt: at,
        };
      }),
  );
  const failing = Object.values(endpoints).filter((endpoint) => endpoint.state !== 'delivered');
  if (failing.length === 0) {
    await deps.log.update(eventId, endpoints, undefined);
    return { outcome: 'delivered', eventId };
  }
  const wait = retryAfterSeconds(Math.max(...failing.map((endpoint) => endpoint.attempts)));
  await deps.log.update(eventId, endpoints, wait === undefined ? undefined : startedSeconds + wait);
  return wait === undefined
    ? { outcome: 'gave-up', eventId }
    : { outcome: 'retry', eventId, retryAfterSeconds: wait };
}

/**
 * Sends an event again to every endpoint that took it, delivered or not (the merchant's system
 * lost it, or its endpoint was fixed after the retries ran out), with a fresh retry schedule.
 */
export async function redeliverWebhook(deps: WebhookDeps, eventId: string): Promise<AttemptResult> {
  const delivery = await deps.log.get(eventId);
  if (!delivery) return { outcome: 'unknown', eventId };
  const endpoints = Object.fromEntries(
    Object.entries(delivery.endpoints).map(([id, endpoint]) => [
      id,
      { ...endpoint, state: 'pending' as const, attempts: 0 },
    ]),
  );
  const nextAttemptAt = seconds(deps.clock);
  await deps.log.update(eventId, endpoints, nextAttemptAt);
  return attempt(deps, { ...delivery, endpoints, nextAttemptAt });
}

/**
 * Attempts every logged event whose retry is due (the local retry sweep: deployed, the queue
 * brings each event back). Reads at most `limit` of the newest records.
 */
export async function attemptDueWebhooks(deps: WebhookDeps, limit = 200): Promise<AttemptResult[]> {
  const now = seconds(deps.clock);
  const results: AttemptResult[] = [];
  let page: string | undefined;
  let read = 0;
  do {
    const listed = await deps.log.list(Math.min(100, limit - read), page);
    read += listed.deliveries.length;
    for (const delivery of listed.deliveries) {
      if (delivery.nextAttemptAt !== undefined && delivery.nextAttemptAt <= now) {
        results.push(await attempt(deps, delivery));
      }
    }
    page = listed.nextPage;
  } while (page && read < limit);
  return results;
}

/** Records an event and makes its first attempt: what a published order event sets off. */
export async function deliverWebhook(
  deps: WebhookDeps,
  source: WebhookSource,
): Promise<AttemptResult | undefined> {
  const delivery = await recordWebhook(deps, source);
  if (!delivery) return undefined;
  const pending = Object.values(delivery.endpoints).some((endpoint) => endpoint.state !== 'delivered');
  if (!pending) return { outcome: 'delivered', eventId: delivery.eventId };
  return attempt(deps, delivery);
}
