import type { EventPublisher, MailLog, WebhookLog } from '../checkout/ports.js';
import type { CompletePaymentDeps } from '../checkout/use-cases/complete-payment.js';
import { DynamoMailLog } from '../store/dynamo-mail-log.js';
import { DynamoWebhookLog } from '../store/dynamo-webhook-log.js';
import type { Config } from './config.js';
import { orderEvents } from './events.js';
import {
  dynamoClients,
  dynamoStore,
  glaseClient,
  type Observability,
  observability,
  systemClock,
  type WiringOptions,
} from './parts.js';
import { type Secrets, secretsFrom } from './secrets.js';
import { secretsExtension } from './secrets-extension.js';

/** What settling orders needs: the notification function and the reconciler. */
export interface SettlementWiring extends Observability {
  readonly config: Config;
  readonly secrets: Secrets;
  /** For the reconciler: Glase's normal per-call timeout. */
  readonly settlement: CompletePaymentDeps;
  /** For a notification: short attempts, retried until the 20-second deadline. */
  readonly urgentSettlement: CompletePaymentDeps;
}

/** What the reconciler's retention period forgets along with the orders: the sent mails, the webhook bodies. */
export interface RetentionLogs {
  readonly mailLog: MailLog;
  readonly webhookLog: WebhookLog;
}

/** The reconciler's alone: the notification function never loads them. */
export function retentionLogs(config: Config, options: WiringOptions = {}): RetentionLogs {
  const { document } = dynamoClients(config, options);
  return {
    mailLog: new DynamoMailLog(document, config.tables.idempotency),
    webhookLog: new DynamoWebhookLog(document, config.tables.idempotency),
  };
}

export function wireSettlement(
  config: Config,
  options: WiringOptions & { readonly events?: EventPublisher } = {},
): SettlementWiring {
  const seen = observability(options);
  const secrets = secretsFrom(config, options.secretFetch ?? secretsExtension());
  const dynamo = dynamoClients(config, options);
  const clock = options.clock ?? systemClock;
  const store = dynamoStore(config, dynamo);
  const glase = glaseClient(config, secrets, config.glase.timeoutMs, seen.metrics);
  const urgent = glaseClient(config, secrets, config.glase.statusTimeoutMs, seen.metrics);
  const base = {
    store,
    events: options.events ?? orderEvents(config, seen),
    clock,
    warn: (message: string, details: Record<string, unknown>) => seen.logger.warn(message, details),
  };
  return {
    ...seen,
    config,
    secrets,
    settlement: { ...base, glase },
    urgentSettlement: { ...base, glase: urgent },
  };
}
