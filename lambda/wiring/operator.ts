import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import { SERVICE_NAME } from '../../contract/service.js';
import type { EventPublisher, MailLog, Store } from '../checkout/ports.js';
import { type CatalogAdmin, catalogOf } from '../checkout/use-cases/catalog.js';
import type { CompletePaymentDeps } from '../checkout/use-cases/complete-payment.js';
import type { RefundDeps } from '../checkout/use-cases/refund.js';
import type { WebhookDeps } from '../checkout/use-cases/webhooks.js';
import type { DynamoClients } from '../store/dynamo-client.js';
import { DynamoMailLog } from '../store/dynamo-mail-log.js';
import type { Config } from './config.js';
import {
  dynamoClients,
  dynamoStore,
  glaseClient,
  type Observability,
  observability,
  systemClock,
  type WiringOptions,
} from './parts.js';
import { type SecretFetch, type Secrets, secretsFrom } from './secrets.js';
import { webhookDeps } from './webhook-deps.js';

/** The merchant's operator CLI: the same use cases and adapters the functions use. */
export interface OperatorWiring {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly dynamo: DynamoClients;
  readonly catalog: CatalogAdmin;
  readonly store: Store;
  readonly settlement: CompletePaymentDeps;
  readonly refund: RefundDeps;
  /** The sent-mail log (a shopper's access and erasure requests). */
  readonly mailLog: MailLog;
  /** The webhook delivery log and endpoints (`webhooks deliveries`, `webhooks redeliver`). */
  readonly webhooks: WebhookDeps;
  close(): void;
}

/*
 * A CLI command is a process of its own: what it does not use it should not load. Secrets
 * Manager and EventBridge are loaded the first time a command asks for a secret or publishes.
 */
function secretsManagerOnFirstUse(region: string | undefined): SecretFetch {
  let fetch: Promise<SecretFetch> | undefined;
  return async (arn) => {
    fetch ??= import('./secrets-manager.js').then(({ secretsManager }) => secretsManager(region));
    return (await fetch)(arn);
  };
}

function eventsOnFirstUse(config: Config, seen: Observability, options: WiringOptions): EventPublisher {
  let publisher: Promise<EventPublisher> | undefined;
  return {
    publish: async (event) => {
      publisher ??=
        config.mail?.directory || config.webhooks.length > 0
          ? import('./local-events.js').then(({ localEvents }) => localEvents(config, seen, options))
          : import('./events.js').then(({ orderEvents }) => orderEvents(config, seen));
      return (await publisher).publish(event);
    },
  };
}

export function wireOperator(config: Config, options: WiringOptions = {}): OperatorWiring {
  const seen = observability({
    ...options,
    logger: options.logger ?? new Logger({ serviceName: `${SERVICE_NAME}-cli`, logLevel: 'SILENT' }),
  });
  const secretFetch = options.secretFetch ?? secretsManagerOnFirstUse(config.region);
  const secrets = secretsFrom(config, secretFetch);
  const dynamo = dynamoClients(config, options);
  const clock = options.clock ?? systemClock;
  const store = dynamoStore(config, dynamo);
  const glase = glaseClient(config, secrets, config.glase.timeoutMs);
  const events = eventsOnFirstUse(config, seen, { ...options, dynamo, clock });
  const warn = (message: string, details: Record<string, unknown>) => seen.logger.warn(message, details);
  return {
    config,
    secrets,
    dynamo,
    catalog: catalogOf(store),
    store,
    settlement: {
      store,
      glase,
      events,
      clock,
      warn,
    },
    refund: { store, glase, shop: config.shop, clock, newRefundId: () => `R${ulid()}`, events, warn },
    mailLog: new DynamoMailLog(dynamo.document, config.tables.idempotency),
    webhooks: webhookDeps(config, secretFetch, { ...options, dynamo, clock }),
    close: () => dynamo.client.destroy(),
  };
}
