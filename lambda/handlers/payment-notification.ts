import { loadConfig } from '../wiring/config.js';
import { wireSettlement } from '../wiring/settlement.js';
import { paymentNotificationHandler } from './payment-notification-handler.js';

/** Lambda entry for POST /webshop/notify/{orderId}. */
export const handler = paymentNotificationHandler(wireSettlement(loadConfig()));
