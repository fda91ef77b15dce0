import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import type { CompletePaymentDeps } from '../checkout/complete-payment.js';
import type { CatalogAdmin, OrderStore } from '../checkout/ports.js';
import type { RefundDeps } from '../checkout/refund.js';
import { DynamoCatalog } from '../store/dynamo-catalog.js';
import type { DynamoClients } from '../store/dynamo-client.js';
import { type Config, DEFAULTS } from './config.js';
import { orderEvents } from './events.js';
import {
  dynamoClients,
  glaseClient,
  observability,
  orderStore,
  systemClock,
  type WiringOptions,
} from './parts.js';
import { type Secrets, secretsFrom } from './secrets.js';
import { secretsManager } from './secrets-manager.js';

/** The merchant's operator CLI: the same use cases and adapters the functions use. */
export interface OperatorWiring {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly dynamo: DynamoClients;
  readonly catalog: CatalogAdmin;
  readonly orders: OrderStore;
  readonly settlement: CompletePaymentDeps;
  readonly refund: RefundDeps;
  close(): void;
}

export function wireOperator(config: Config, options: WiringOptions = {}): OperatorWiring {
  const seen = observability({
    ...options,
    logger: options.logger ?? new Logger({ serviceName: `${DEFAULTS.SERVICE_NAME}-cli`, logLevel: 'SILENT' }),
  });
  const secrets = secretsFrom(config, options.secretFetch ?? secretsManager(config.region));
  const dynamo = dynamoClients(config, options);
  const clock = options.clock ?? systemClock;
  const orders = orderStore(config, dynamo);
  const glase = glaseClient(config, secrets, config.glase.timeoutMs, options);
  return {
    config,
    secrets,
    dynamo,
    catalog: new DynamoCatalog(dynamo.document, config.tables.products),
    orders,
    settlement: {
      orders,
      glase,
      events: orderEvents(config, seen),
      clock,
      warn: (message, details) => seen.logger.warn(message, details),
    },
    refund: { orders, glase, shop: config.shop, clock, newRefundId: () => `R${ulid()}` },
    close: () => dynamo.client.destroy(),
  };
}
