import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ServiceUnavailableError } from '../checkout/model/errors.js';

const MAX_ATTEMPTS = 10;

/** Which items' conditions failed, and (where asked for) what those items held. */
export interface FailedConditions {
  readonly failed: readonly boolean[];
  readonly items: readonly (Record<string, unknown> | undefined)[];
}

/**
 * TransactWriteItems that retries when DynamoDB cancels it only because another transaction
 * held one of its items (a flash sale makes every buyer touch the same product item). Any
 * other cancellation — a failed condition above all — is returned to the caller to interpret.
 */
export async function transactWrite(
  document: DynamoDBDocumentClient,
  input: TransactWriteCommandInput,
  abortSignal?: AbortSignal,
): Promise<FailedConditions | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await document.send(new TransactWriteCommand(input), { abortSignal });
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.map((reason) => reason.Code === 'ConditionalCheckFailed');
      if (failed.some(Boolean)) {
        return {
          failed,
          items: reasons.map((reason) => (reason.Item ? unmarshall(reason.Item) : undefined)),
        };
      }
      const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (!conflict) throw error;
      if (attempt >= MAX_ATTEMPTS) {
        // Contention that outlasted every retry is load, not a refusal: the caller may retry.
        throw new ServiceUnavailableError(
          'store',
          'DynamoDB transaction conflicts outlasted the retries',
          1,
          {
            cause: error,
          },
        );
      }
      // Full jitter: spreads a burst of buyers instead of letting them collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 20 * 2 ** attempt)));
    }
  }
}
