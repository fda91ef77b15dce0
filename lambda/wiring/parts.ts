import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC } from '../../contract/metrics.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../contract/service.js';
import type { Clock, PaymentGateway, Store } from '../checkout/ports.js';
import { GlaseClient } from '../glase/client.js';
import { createDynamoClients, type DynamoClients } from '../store/dynamo-client.js';
import { DynamoStore } from '../store/dynamo-store.js';
import type { Config } from './config.js';
import type { SecretFetch, Secrets } from './secrets.js';

/**
 * What a factory may be given instead of building it: a logger, a clock, one DynamoDB client
 * shared by several factories (`npm start`), where secrets deployed by ARN are read (the
 * functions: the extension; the CLI: the SDK). Nothing else: a test that wants another port
 * builds the wiring and replaces the port in what it returns.
 */
export interface WiringOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly dynamo?: DynamoClients;
  readonly secretFetch?: SecretFetch;
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
      attemptTimeoutMs: config.dynamodbAttemptTimeoutMs,
    })
  );
}

export function dynamoStore(config: Config, dynamo: DynamoClients): Store {
  return new DynamoStore(dynamo.document, config.tables);
}

/**
 * A Payment API client whose attempts last `timeoutMs`; credentials read per call (rotation).
 * With `metrics`, each exchange's duration is published per operation (the dashboard's Glase
 * latency), on its own so the operation dimension stays off every other metric.
 */
export function glaseClient(
  config: Config,
  secrets: Secrets,
  timeoutMs: number,
  metrics?: Metrics,
): PaymentGateway {
  return new GlaseClient({
    url: config.glase.url,
    clientId: config.glase.clientId,
    timeoutMs,
    onExchanged: metrics
      ? (operation, elapsedMs) => {
          const single = metrics.singleMetric();
          single.addDimension('operation', operation);
          single.addMetric(METRIC.glaseCallMs, MetricUnit.Milliseconds, elapsedMs);
        }
      : undefined,
    credentials: async () => {
      const { terminalId, terminalPassword } = await secrets.terminal();
      return { terminalId, password: terminalPassword };
    },
  });
}
