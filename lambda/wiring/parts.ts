import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock, OrderStore, PaymentGateway } from '../checkout/ports.js';
import { GlaseClient } from '../glase/client.js';
import type { Operation } from '../glase/envelope.js';
import { createDynamoClients, type DynamoClients } from '../store/dynamo-client.js';
import { DynamoOrderStore } from '../store/dynamo-orders.js';
import { type Config, DEFAULTS } from './config.js';
import type { SecretFetch, Secrets } from './secrets.js';

/** What every use case's factory accepts: shared clients, and hooks for tests and the bench. */
export interface WiringOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** One DynamoDB client shared by several factories (npm start, tests). */
  readonly dynamo?: DynamoClients;
  readonly onDynamoRequest?: (command: string) => void;
  readonly onDynamoRefusal?: (command: string, refusal: string) => void;
  readonly onGlaseCall?: (operation: Operation) => void;
  /** Where secrets deployed by ARN are read; by default the extension (functions) or the SDK (CLI). */
  readonly secretFetch?: SecretFetch;
  /** Lets a test swap a port for a failing one, e.g. to simulate a crash between two writes. */
  readonly adjust?: (ports: Ports) => Ports;
}

export interface Ports {
  readonly orders: OrderStore;
  readonly glase: PaymentGateway;
}

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export const systemClock: Clock = { now: () => new Date() };

export function logging(options: WiringOptions): Logger {
  return options.logger ?? new Logger({ serviceName: DEFAULTS.SERVICE_NAME });
}

export function observability(options: WiringOptions): Observability {
  const logger = logging(options);
  const metricsOff = process.env.POWERTOOLS_METRICS_DISABLED === 'true';
  const metrics = new Metrics({
    namespace: DEFAULTS.METRICS_NAMESPACE,
    serviceName: DEFAULTS.SERVICE_NAME,
    // Metrics' own warnings ("no metrics to publish") go through our logger, and nowhere when
    // metrics are off (locally, where concurrent requests share one Metrics instance).
    logger: metricsOff ? new Logger({ logLevel: 'SILENT' }) : logger,
  });
  return { logger, metrics };
}

export function dynamoClients(config: Config, options: WiringOptions): DynamoClients {
  return (
    options.dynamo ??
    createDynamoClients({
      region: config.region,
      endpoint: config.dynamodbEndpoint,
      onRequest: options.onDynamoRequest,
      onRefusal: options.onDynamoRefusal,
    })
  );
}

export function orderStore(config: Config, dynamo: DynamoClients): OrderStore {
  return new DynamoOrderStore(dynamo.document, config.tables);
}

/** A Payment API client whose attempts last `timeoutMs`; credentials read per call (rotation). */
export function glaseClient(
  config: Config,
  secrets: Secrets,
  timeoutMs: number,
  options: WiringOptions,
): PaymentGateway {
  return new GlaseClient({
    url: config.glase.url,
    clientId: config.glase.clientId,
    timeoutMs,
    credentials: async () => {
      const { terminalId, terminalPassword } = await secrets.terminal();
      return { terminalId, password: terminalPassword };
    },
    onCall: options.onGlaseCall,
  });
}
