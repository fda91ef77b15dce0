import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lambda/wiring/config.js';
import { localEvents } from '../../lambda/wiring/local-events.js';
import { localEnvironment } from '../../lambda/wiring/local-profile.js';
import { observability } from '../../lambda/wiring/parts.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { InMemoryWebhookLog, ManualClock, RecordingPoster } from '../support/in-memory.js';
import { anOrder } from '../support/orders.js';

describe('local order events: the mail and the webhook, as the bus would route them', () => {
  it('a mail that fails costs the webhook nothing: it is still delivered, and the failure is told', async () => {
    // The mail's sent-log lives in DynamoDB, which nothing answers at port 9: the mail fails.
    const files = mkdtempSync(join(tmpdir(), 'glase-local-events-'));
    const config = loadConfig(
      localEnvironment({
        DYNAMODB_PORT: '9',
        // Never the developer's own .local/: this run's files only.
        OUTBOX_FILE: join(files, 'outbox.jsonl'),
        MAIL_DIR: join(files, 'mail'),
        WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      }),
    );
    const poster = new RecordingPoster();
    const webhooks = {
      log: new InMemoryWebhookLog(),
      poster,
      clock: new ManualClock(),
      targets: config.webhooks,
    };
    const logger = new CapturingLogger();
    const events = localEvents(config, observability({ logger }), { logger }, webhooks);
    const order = anOrder({ status: 'PAID', paidAt: '2026-11-27T10:00:00.000Z' });
    await expect(events.publish({ type: 'OrderPaid', order })).rejects.toThrow();
    expect(poster.posts.map((post) => JSON.parse(post.body).data.orderId)).toEqual([order.orderId]);
    expect(webhooks.log.items.size).toBe(1);
  });
});
