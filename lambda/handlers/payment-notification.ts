import { loadConfig } from '../wiring/config.js';
import { wireSettlement } from '../wiring/settlement.js';
import { paymentNotificationHandler } from './payment-notification-handler.js';

/** Lambda entry for Glase's payment notification (NOTIFY_RESOURCE, contract/routes.ts). */
export const handler = paymentNotificationHandler(wireSettlement(loadConfig()));
