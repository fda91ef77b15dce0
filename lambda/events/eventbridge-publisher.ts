import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher, OrderEvent } from '../checkout/ports.js';
import { EVENT_SOURCE, eventDetail } from './order-event.js';

/** Deployed: OrderPaid / OrderCanceled on the stack's EventBridge bus. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(event: OrderEvent): Promise<void> {
    const { FailedEntryCount, Entries } = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.type,
            Detail: JSON.stringify(eventDetail(event)),
          },
        ],
      }),
    );
    if (FailedEntryCount)
      throw new Error(`EventBridge refused ${event.type}: ${Entries?.[0]?.ErrorCode ?? 'unknown'}`);
  }
}
