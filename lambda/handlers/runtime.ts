import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ulid } from 'ulid';
import type { CatalogAdmin, Clock, EventPublisher, OrderStore, PaymentGateway } from '../checkout/ports.js';
import { GlaseClient } from '../glase/client.js';
import type { Operation } from '../glase/envelope.js';
import { DynamoCatalog } from '../store/dynamo-catalog.js';
import { createDynamoClients, type DynamoClients } from '../store/dynamo-client.js';
import { DynamoOrderStore } from '../store/dynamo-orders.js';
import { type Config, loadConfig, type Secrets } from './config.js';
import { secretsFrom } from './secrets.js';

/**
 * Everything a handler needs, built once per container: the one shared client module.
 * Handlers receive it, so tests and the local server can build as many as they like.
 */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly dynamo: DynamoClients;
  readonly catalog: CatalogAdmin;
  readonly orders: OrderStore;
  /** For sendInvoice and everything but the 20-second path. */
  readonly glase: PaymentGateway;
  /** For getPaymentStatus after a notification: short attempts, retried until the deadline. */
  readonly glaseUrgent: PaymentGateway;
  readonly secrets: () => Promise<Secrets>;
  readonly idempotencyStore: DynamoDBPersistenceLayer;
  readonly clock: Clock;
  readonly newOrderId: () => string;
  /** Overrides where order events go; by default see `order-events.ts`. */
  readonly events?: EventPublisher | undefined;
}

export interface RuntimeHooks {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly events?: EventPublisher;
  readonly onDynamoRequest?: (command: string) => void;
  readonly onGlaseCall?: (operation: Operation) => void;
}

export function createRuntime(config: Config, hooks: RuntimeHooks = {}): Runtime {
  const logger = hooks.logger ?? new Logger({ serviceName: 'glase-checkout' });
  const metricsOff = process.env.POWERTOOLS_METRICS_DISABLED === 'true';
  const metrics = new Metrics({
    namespace: 'GlaseCheckout',
    serviceName: 'glase-checkout',
    // Metrics' own warnings ("no metrics to publish") go through our logger, and nowhere when
    // metrics are off (locally, where concurrent requests share one Metrics instance).
    logger: metricsOff ? new Logger({ logLevel: 'SILENT' }) : logger,
  });
  const clock = hooks.clock ?? { now: () => new Date() };
  const dynamo = createDynamoClients({ ...config.dynamodb, onRequest: hooks.onDynamoRequest });
  const secrets = secretsFrom(config);
  const credentials = async () => {
    const { terminalId, terminalPassword } = await secrets();
    return { terminalId, password: terminalPassword };
  };
  const glaseOptions = {
    url: config.glase.url,
    clientId: config.glase.clientId,
    credentials,
    onCall: hooks.onGlaseCall,
  };
  return {
    config,
    logger,
    metrics,
    dynamo,
    catalog: new DynamoCatalog(dynamo.document, config.tables.products),
    orders: new DynamoOrderStore(dynamo.document, config.tables, clock),
    glase: new GlaseClient({ ...glaseOptions, timeoutMs: config.glase.timeoutMs }),
    glaseUrgent: new GlaseClient({ ...glaseOptions, timeoutMs: config.glase.statusTimeoutMs }),
    secrets,
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: config.tables.idempotency,
      awsSdkV3Client: dynamo.client,
    }),
    clock,
    newOrderId: () => ulid(),
    events: hooks.events,
  };
}

let shared: Runtime | undefined;

/** The Lambda entry points' runtime, from the environment, validated at cold start. */
export function lambdaRuntime(): Runtime {
  shared ??= createRuntime(loadConfig(process.env));
  return shared;
}
