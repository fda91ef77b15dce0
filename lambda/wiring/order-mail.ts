import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { OrderMailDeps } from '../checkout/order-mail.js';
import { EmlMailer } from '../mail/eml-mailer.js';
import { SesMailer } from '../mail/ses-mailer.js';
import { type Config, ConfigurationError } from './config.js';
import { mailDeps } from './mail-deps.js';
import { type Observability, observability, type WiringOptions } from './parts.js';

export interface OrderMailWiring extends Observability {
  readonly mail: OrderMailDeps;
}

/** The mail function: SES (or MAIL_DIR's `.eml` files), the sent-mail log, the settings. */
export function wireOrderMail(
  config: Config,
  options: WiringOptions & { readonly ses?: SESv2Client } = {},
): OrderMailWiring {
  const seen = observability(options);
  const { mail } = config;
  // Deployed only when the stack's settings name a sender; a function without one is a mistake.
  if (!mail) throw new ConfigurationError('invalid configuration: MAIL_FROM is missing');
  const mailer = mail.directory
    ? new EmlMailer(mail.directory, (message, details) => seen.logger.info(message, details))
    : new SesMailer(options.ses ?? new SESv2Client({ region: config.region }));
  return { ...seen, mail: mailDeps(config, mail, mailer, options) };
}
