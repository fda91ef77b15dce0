import type { EventPublisher } from '../checkout/ports.js';
import { mailShopper } from '../checkout/use-cases/order-mail.js';
import { orderView } from '../checkout/views/order-view.js';
import { EmlMailer } from '../mail/eml-mailer.js';
import type { Config } from './config.js';
import { orderEvents } from './events.js';
import { mailDeps } from './mail-deps.js';
import type { Observability, WiringOptions } from './parts.js';

/**
 * Locally (MAIL_DIR set, no bus): each order event is published as usual and, at once, mailed
 * to the shopper as an `.eml` file, with the same use case and sent-mail log as the deployed
 * mail function. `npm start` and the CLI connected to it use this; no function bundles it.
 */
export function eventsWithLocalMail(
  config: Config,
  seen: Observability,
  options: WiringOptions,
): EventPublisher {
  const events = orderEvents(config, seen);
  const mail = config.mail;
  if (!mail?.directory || config.eventBusName) return events;
  const log = (message: string, details: Record<string, unknown>) => seen.logger.info(message, details);
  const deps = mailDeps(config, mail, new EmlMailer(mail.directory, log), options);
  return {
    async publish(event) {
      await events.publish(event);
      await mailShopper(deps, event.type, orderView(event.order));
    },
  };
}
