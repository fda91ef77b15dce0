import { type ConsumedCapacity, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../checkout/model/errors.js';

export interface DynamoOptions {
  readonly region?: string | undefined;
  /** DynamoDB Local's address; unset in AWS. */
  readonly endpoint?: string | undefined;
  /** Called once per DynamoDB request sent, for the round-trip figures. */
  readonly onRequest?: (command: string) => void;
  /**
   * Called for each request DynamoDB refused, with the error's name and, for a cancelled
   * transaction, each item's reason (`TransactionCanceledException[None,TransactionConflict]`).
   */
  readonly onRefusal?: (command: string, refusal: string) => void;
  /**
   * Asks every request for the capacity it consumed (`ReturnConsumedCapacity: INDEXES`) and
   * hands each answer's figures over: for the capacity test and the bench, never deployed.
   */
  readonly onCapacity?: (command: string, consumed: readonly ConsumedCapacity[]) => void;
  /**
   * One attempt's limit (the SDK repeats a timed-out attempt, three attempts in all): a stalled
   * DynamoDB becomes a 503 the caller can retry, never a function that hangs to its timeout.
   */
  readonly attemptTimeoutMs?: number | undefined;
}

/** What DynamoDB (or the way to it) answers when it is down, slow or shedding load. */
const UNAVAILABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // Our own deadline (an abort signal) passed before DynamoDB answered.
  'AbortError',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/** An SDK error that says DynamoDB could not serve the request now, rather than refused it. */
export function isUnavailable(error: unknown): boolean {
  const { name, code, $metadata } = (error ?? {}) as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  return UNAVAILABLE.has(name ?? '') || NETWORK.has(code ?? '') || ($metadata?.httpStatusCode ?? 0) >= 500;
}

export interface DynamoClients {
  readonly client: DynamoDBClient;
  readonly document: DynamoDBDocumentClient;
}

/** One client per container: built once at cold start and shared by every adapter. */
export function createDynamoClients(options: DynamoOptions = {}): DynamoClients {
  // No region of our own: Lambda sets AWS_REGION, the CLI takes the stack's, local uses `local`.
  const config: DynamoDBClientConfig = options.region ? { region: options.region } : {};
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    // DynamoDB Local accepts any key; the SDK just needs one so it does not hunt for credentials.
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  if (options.attemptTimeoutMs) {
    config.requestHandler = {
      requestTimeout: options.attemptTimeoutMs,
      connectionTimeout: options.attemptTimeoutMs,
      // Without it the handler only logs a warning and waits on.
      throwOnRequestTimeout: true,
    };
  }
  const client = new DynamoDBClient(config);
  // After the SDK's own retries: what is left of an outage reaches the domain as one error.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        // Which request: a read given up on changed nothing, a write may still land.
        const why = `DynamoDB unavailable: ${(error as Error).name} (${String(context.commandName)})`;
        throw new ServiceUnavailableError('store', why, 1, { cause: error });
      }
    },
    { step: 'initialize', name: 'unavailableAsRetryable', priority: 'high' },
  );
  const { onCapacity } = options;
  if (onCapacity) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        if (consumed) onCapacity(String(context.commandName), ([] as ConsumedCapacity[]).concat(consumed));
        return result;
      },
      { step: 'initialize', name: 'consumedCapacity' },
    );
  }
  const { onRequest, onRefusal } = options;
  if (onRequest || onRefusal) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName);
        onRequest?.(command);
        try {
          return await next(args);
        } catch (error) {
          const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
          const detail = reasons ? `[${reasons.map((reason) => reason.Code ?? '?').join(',')}]` : '';
          onRefusal?.(command, `${(error as Error).name}${detail}`);
          throw error;
        }
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }
  const document = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, document };
}
