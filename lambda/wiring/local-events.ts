import type { EventPublisher } from '../checkout/ports.js';
import { mailShopper } from '../checkout/use-cases/order-mail.js';
import { deliverWebhook, type WebhookDeps } from '../checkout/use-cases/webhooks.js';
import { orderEventView } from '../checkout/views/order-view.js';
import { EmlMailer } from '../mail/eml-mailer.js';
import type { Config } from './config.js';
import { orderEvents } from './events.js';
import { mailDeps } from './mail-deps.js';
import type { Observability, WiringOptions } from './parts.js';
import { webhookDeps } from './webhook-deps.js';

/** Locally the webhook secret is a setting (WEBHOOK_SECRET), never a Secrets Manager ARN. */
const noSecretsManager = () => Promise.reject(new Error('no Secrets Manager locally'));

/** The local webhook deliverer, when WEBHOOK_URL is set and there is no bus. */
export function localWebhooks(config: Config, options: WiringOptions): WebhookDeps | undefined {
  return config.webhooks.length > 0 && !config.eventBusName
    ? webhookDeps(config, noSecretsManager, options)
    : undefined;
}

/**
 * Locally (no bus), the targets the stack would route each order event to are served in process,
 * with the same use cases as the deployed functions: the shopper's mail as an `.eml` file
 * (MAIL_DIR) and the webhook (WEBHOOK_URL), recorded and tried at once; `npm start` retries it
 * on its sweep. `npm start` and the CLI connected to it use this; no function bundles it.
 */
export function localEvents(
  config: Config,
  seen: Observability,
  options: WiringOptions,
  webhooks: WebhookDeps | undefined = localWebhooks(config, options),
): EventPublisher {
  const events = orderEvents(config, seen);
  if (config.eventBusName) return events;
  const log = (message: string, details: Record<string, unknown>) => seen.logger.info(message, details);
  const mail = config.mail?.directory
    ? mailDeps(config, config.mail, new EmlMailer(config.mail.directory, log), options)
    : undefined;
  if (!mail && !webhooks) return events;
  return {
    async publish(event) {
      await events.publish(event);
      // Two targets of one event, as the bus has them: a failing mail must not cost the webhook.
      const delivered = await Promise.allSettled([
        mail ? mailShopper(mail, event.type, event.order) : undefined,
        webhooks
          ? deliverWebhook(webhooks, {
              type: event.type,
              data: orderEventView(event.order, config.eventsIncludeCustomer),
            }).then((result) => result && log('webhook', { ...result, orderId: event.order.orderId }))
          : undefined,
      ]);
      const failed = delivered.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
