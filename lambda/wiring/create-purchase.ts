import { ulid } from 'ulid';
import { type CreatePurchaseDeps, purchaseTiming } from '../checkout/use-cases/create-purchase.js';
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
import { type Secrets, secretsFrom } from './secrets.js';
import { secretsExtension } from './secrets-extension.js';

/** Everything the createPurchase function needs, and nothing it does not. */
export interface CreatePurchaseWiring extends Observability {
  readonly config: Config;
  readonly secrets: Secrets;
  readonly purchase: Omit<CreatePurchaseDeps, 'notificationUrlFor'>;
}

export function wireCreatePurchase(config: Config, options: WiringOptions = {}): CreatePurchaseWiring {
  const seen = observability(options);
  const secrets = secretsFrom(config, options.secretFetch ?? secretsExtension());
  const dynamo = dynamoClients(config, options);
  const store = dynamoStore(config, dynamo);
  const glase = glaseClient(config, secrets, config.glase.timeoutMs, seen.metrics);
  return {
    ...seen,
    config,
    secrets,
    purchase: {
      store,
      glase,
      shop: config.shop,
      policy: {
        idempotencyTtlSeconds: config.idempotencyTtlSeconds,
        openOrdersPerShopper: config.openOrdersPerShopper,
        invoiceTtlSeconds: config.invoiceTtlSeconds,
        heldSharePercent: config.heldSharePercent,
      },
      // cancelInvoice, when a purchase is undone, gets one attempt of a status call's length.
      timing: purchaseTiming(config.glase.timeoutMs, config.glase.statusTimeoutMs),
      clock: options.clock ?? systemClock,
      newOrderId: () => ulid(),
      // For the life of the container: products rarely change how many shards they have.
      stockShardsSeen: new Map(),
      warn: (message, details) => seen.logger.warn(message, details),
    },
  };
}
