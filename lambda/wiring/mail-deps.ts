import type { Mailer } from '../checkout/ports.js';
import type { OrderMailDeps } from '../checkout/use-cases/order-mail.js';
import { DynamoMailLog } from '../store/dynamo-mail-log.js';
import type { Config, MailConfig } from './config.js';
import { dynamoClients, systemClock, type WiringOptions } from './parts.js';

/** What mailing a shopper needs besides the mailer; the mail function and `npm start` share it. */
export function mailDeps(
  config: Config,
  mail: MailConfig,
  mailer: Mailer,
  options: WiringOptions,
): OrderMailDeps {
  const clock = options.clock ?? systemClock;
  return {
    mailer,
    sent: new DynamoMailLog(dynamoClients(config, options).document, config.tables.idempotency),
    settings: mail,
    shopTitle: config.shop.title,
    seller: config.seller,
    now: () => clock.now(),
  };
}
