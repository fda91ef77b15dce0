import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CompletePaymentDeps } from '../checkout/complete-payment.js';
import type { EventPublisher, PaymentGateway } from '../checkout/ports.js';
import { EventBridgePublisher } from '../events/eventbridge-publisher.js';
import { OutboxPublisher } from '../events/outbox-publisher.js';
import type { Runtime } from './runtime.js';

const publishers = new WeakMap<Runtime, EventPublisher>();

/**
 * Where OrderPaid / OrderCanceled go: EventBridge when EVENT_BUS_NAME is set, else the log
 * (and OUTBOX_FILE). Kept out of `runtime.ts` so createPurchase does not bundle EventBridge.
 */
export function orderEvents(runtime: Runtime): EventPublisher {
  if (runtime.events) return runtime.events;
  let publisher = publishers.get(runtime);
  if (!publisher) {
    const { eventBusName, outboxFile, dynamodb } = runtime.config;
    publisher = eventBusName
      ? new EventBridgePublisher(new EventBridgeClient({ region: dynamodb.region }), eventBusName)
      : new OutboxPublisher((message, details) => runtime.logger.info(message, details), outboxFile);
    publishers.set(runtime, publisher);
  }
  return publisher;
}

/**
 * What settling an order needs — the notification handler, the reconciler and the CLI's
 * cancel all build it here. `glase` is the notification's short-timeout client when it
 * races Glase's 20 seconds.
 */
export function settlementDeps(runtime: Runtime, glase: PaymentGateway = runtime.glase): CompletePaymentDeps {
  return {
    orders: runtime.orders,
    glase,
    events: orderEvents(runtime),
    clock: runtime.clock,
    warn: (message, details) => runtime.logger.warn(message, details),
  };
}
