import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { ulid } from 'ulid';
import type { CreatePurchaseDeps } from '../checkout/create-purchase.js';
import { DynamoCatalog } from '../store/dynamo-catalog.js';
import type { Config } from './config.js';
import {
  dynamoClients,
  glaseClient,
  type Observability,
  observability,
  orderStore,
  systemClock,
  type WiringOptions,
} from './parts.js';
import { type Secrets, secretsFrom } from './secrets.js';

/** Everything the createPurchase function needs, and nothing it does not. */
export interface CreatePurchaseWiring extends Observability {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly purchase: Omit<CreatePurchaseDeps, 'notificationUrlFor'>;
  readonly idempotencyStore: DynamoDBPersistenceLayer;
}

export function wireCreatePurchase(config: Config, options: WiringOptions = {}): CreatePurchaseWiring {
  const seen = observability(options);
  const secrets = secretsFrom(config);
  const dynamo = dynamoClients(config, options);
  const clock = options.clock ?? systemClock;
  const ports = (options.adjust ?? ((given) => given))({
    orders: orderStore(config, dynamo),
    glase: glaseClient(config, secrets, config.glase.timeoutMs, options),
  });
  return {
    ...seen,
    config,
    secrets,
    purchase: {
      catalog: new DynamoCatalog(dynamo.document, config.tables.products),
      orders: ports.orders,
      glase: ports.glase,
      shop: config.shop,
      clock,
      newOrderId: () => ulid(),
      warn: (message, details) => seen.logger.warn(message, details),
    },
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: config.tables.idempotency,
      awsSdkV3Client: dynamo.client,
    }),
  };
}
