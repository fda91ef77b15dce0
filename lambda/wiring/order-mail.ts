import type { Logger } from '@aws-lambda-powertools/logger';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Store } from '../checkout/ports.js';
import type { OrderMailDeps } from '../checkout/use-cases/order-mail.js';
import { EmlMailer } from '../mail/eml-mailer.js';
import { SesMailer } from '../mail/ses-mailer.js';
import { type Config, ConfigurationError } from './config.js';
import { mailDeps } from './mail-deps.js';
import { dynamoClients, dynamoStore, logging, type WiringOptions } from './parts.js';

/** Logs, and no metrics: the mail function's outcomes are in its logs and its dead-letter queue. */
export interface OrderMailWiring {
  readonly logger: Logger;
  readonly mail: OrderMailDeps;
  /** Where the mail reads the order it is about (events carry no shopper unless asked to). */
  readonly orders: Pick<Store, 'getOrder'>;
}

/** The mail function: SES (or MAIL_DIR's `.eml` files), the sent-mail log, the settings. */
export function wireOrderMail(
  config: Config,
  options: WiringOptions & { readonly ses?: SESv2Client } = {},
): OrderMailWiring {
  const logger = logging(options);
  const { mail } = config;
  // Deployed only when the stack's settings name a sender; a function without one is a mistake.
  if (!mail) throw new ConfigurationError('invalid configuration: MAIL_FROM is missing');
  const mailer = mail.directory
    ? new EmlMailer(mail.directory, (message, details) => logger.info(message, details))
    : new SesMailer(options.ses ?? new SESv2Client({ region: config.region }));
  return {
    logger,
    mail: mailDeps(config, mail, mailer, options),
    orders: dynamoStore(config, dynamoClients(config, options)),
  };
}
