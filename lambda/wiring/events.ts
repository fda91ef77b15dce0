import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../checkout/ports.js';
import { EventBridgePublisher } from '../events/eventbridge-publisher.js';
import { OutboxPublisher } from '../events/outbox-publisher.js';
import type { Config } from './config.js';
import type { Observability } from './parts.js';

/**
 * Where OrderPaid / OrderCanceled / OrderRefunded go: EventBridge when EVENT_BUS_NAME is set
 * (the mail function is one of the bus's targets), else the log (and OUTBOX_FILE). Only the
 * factories that settle orders import this, so createPurchase does not bundle EventBridge; the
 * local targets (`local-events.ts`) are composed apart, so no function bundles it.
 */
export function orderEvents(config: Config, { logger }: Observability): EventPublisher {
  return config.eventBusName
    ? new EventBridgePublisher(
        new EventBridgeClient({ region: config.region }),
        config.eventBusName,
        config.eventsIncludeCustomer,
      )
    : new OutboxPublisher(
        (message, details) => logger.info(message, details),
        config.outboxFile,
        config.eventsIncludeCustomer,
      );
}
