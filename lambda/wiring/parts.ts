import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../contract/service.js';
import type { Clock, PaymentGateway, Store } from '../checkout/ports.js';
import { GlaseClient } from '../glase/client.js';
import type { Operation } from '../glase/envelope.js';
import { createDynamoClients, type DynamoClients } from '../store/dynamo-client.js';
import { DynamoStore } from '../store/dynamo-store.js';
import type { Config } from './config.js';
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
  readonly store: Store;
  readonly glase: PaymentGateway;
}

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export const systemClock: Clock = { now: () => new Date() };

export function logging(options: WiringOptions): Logger {
  return options.logger ?? new Logger({ serviceName: SERVICE_NAME });
}

export function observability(options: WiringOptions): Observability {
  const logger = logging(options);
  const metricsOff = process.env.POWERTOOLS_METRICS_DISABLED === 'true';
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
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

export function dynamoStore(config: Config, dynamo: DynamoClients): Store {
  return new DynamoStore(dynamo.document, config.tables);
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
