import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EVENT_SOURCE } from '../../contract/events.js';
import type { OrderEvent } from '../checkout/model/order-event.js';
import type { EventPublisher } from '../checkout/ports.js';
import { eventDetail } from './order-event.js';

/**
 * Local: each event becomes a log line and, when a file is given, a JSON line appended to
 * it — an outbox a developer can `tail -f` while walking a purchase.
 */
export class OutboxPublisher implements EventPublisher {
  constructor(
    private readonly log: (message: string, details: Record<string, unknown>) => void,
    private readonly file?: string,
    private readonly includeCustomer = false,
  ) {}

  async publish(event: OrderEvent): Promise<void> {
    const entry = { type: event.type, detail: eventDetail(event, this.includeCustomer) };
    this.log('order event', { source: EVENT_SOURCE, detailType: entry.type, orderId: entry.detail.orderId });
    if (!this.file) return;
    // Made on the first event, not before: a run that publishes nothing leaves no trace.
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify({ source: EVENT_SOURCE, ...entry })}\n`);
  }
}
