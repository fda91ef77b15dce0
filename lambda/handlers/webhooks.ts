import { loadConfig } from '../wiring/config.js';
import { wireWebhooks } from '../wiring/webhooks.js';
import { webhookHandler } from './webhook-handler.js';

/** Lambda entry for webhooks (EventBridge rule → SQS → here → the merchant's endpoints). */
export const handler = webhookHandler(wireWebhooks(loadConfig()));
