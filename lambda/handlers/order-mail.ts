import { loadConfig } from '../wiring/config.js';
import { wireOrderMail } from '../wiring/order-mail.js';
import { orderMailHandler } from './order-mail-handler.js';

/** Lambda entry for the shopper's order mails (EventBridge rule → here → SES). */
export const handler = orderMailHandler(wireOrderMail(loadConfig()));
