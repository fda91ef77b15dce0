import { paymentNotificationHandler } from './payment-notification-handler.js';
import { lambdaRuntime } from './runtime.js';

/** Lambda entry for POST /webshop/notify/{orderId}. */
export const handler = paymentNotificationHandler(lambdaRuntime());
