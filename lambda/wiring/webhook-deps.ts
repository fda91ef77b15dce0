import type { WebhookDeps } from '../checkout/use-cases/webhooks.js';
import { DynamoWebhookLog } from '../store/dynamo-webhook-log.js';
import { HttpWebhookPoster } from '../webhooks/http-poster.js';
import type { Config } from './config.js';
import { dynamoClients, systemClock, type WiringOptions } from './parts.js';
import { type SecretFetch, webhookSecrets } from './secrets.js';

/** What delivering webhooks needs; the webhook function, `npm start` and the CLI share it. */
export function webhookDeps(config: Config, secretFetch: SecretFetch, options: WiringOptions): WebhookDeps {
  return {
    log: new DynamoWebhookLog(dynamoClients(config, options).document, config.tables.idempotency),
    poster: new HttpWebhookPoster(webhookSecrets(config, secretFetch)),
    targets: config.webhooks,
    clock: options.clock ?? systemClock,
  };
}
