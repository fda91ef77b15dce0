import type { Logger } from '@aws-lambda-powertools/logger';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookDeps } from '../checkout/use-cases/webhooks.js';
import { type Config, ConfigurationError } from './config.js';
import { logging, type WiringOptions } from './parts.js';
import { secretsExtension } from './secrets-extension.js';
import { webhookDeps } from './webhook-deps.js';

export interface WebhookWiring {
  readonly logger: Logger;
  readonly webhooks: WebhookDeps;
  /** Puts a queue message off until its retry is due (SQS's visibility timeout, at most 12 h). */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}

/** SQS's ceiling for a message's visibility timeout. */
const MAX_VISIBILITY_SECONDS = 43_200;

/** The webhook function: the delivery log, the endpoints' secrets, the queue it reads. */
export function wireWebhooks(
  config: Config,
  options: WiringOptions & { readonly sqs?: SQSClient } = {},
): WebhookWiring {
  const queueUrl = config.webhookQueueUrl;
  if (!queueUrl) throw new ConfigurationError('invalid configuration: WEBHOOK_QUEUE_URL is missing');
  const sqs = options.sqs ?? new SQSClient({ region: config.region });
  return {
    logger: logging(options),
    webhooks: webhookDeps(config, options.secretFetch ?? secretsExtension(), options),
    retryLater: async (receiptHandle, seconds) => {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.min(seconds, MAX_VISIBILITY_SECONDS),
        }),
      );
    },
  };
}
