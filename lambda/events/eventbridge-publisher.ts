import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../../contract/events.js';
import type { OrderEvent } from '../checkout/model/order-event.js';
import type { EventPublisher } from '../checkout/ports.js';
import { eventDetail } from './order-event.js';

/** Deployed: OrderPaid / OrderCanceled on the stack's EventBridge bus. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly includeCustomer = false,
  ) {}

  async publish(event: OrderEvent): Promise<void> {
    const { FailedEntryCount, Entries } = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.type,
            Detail: JSON.stringify(eventDetail(event, this.includeCustomer)),
          },
        ],
      }),
    );
    if (FailedEntryCount)
      throw new Error(`EventBridge refused ${event.type}: ${Entries?.[0]?.ErrorCode ?? 'unknown'}`);
  }
}
