import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MailLog } from '../checkout/ports.js';
import { IDEMPOTENCY_KEY, MAIL_ITEM_PREFIX, REQUESTS_TTL } from './schema.js';

/** Sent mails in the idempotency table: one conditional put claims a mail key, TTL forgets it. */
export class DynamoMailLog implements MailLog {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(key: string, expiresAt: number): Promise<boolean> {
    try {
      await this.document.send(
        new PutCommand({
          TableName: this.table,
          Item: { [IDEMPOTENCY_KEY]: `${MAIL_ITEM_PREFIX}${key}`, [REQUESTS_TTL]: expiresAt },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': IDEMPOTENCY_KEY },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    await this.document.send(
      new DeleteCommand({ TableName: this.table, Key: { [IDEMPOTENCY_KEY]: `${MAIL_ITEM_PREFIX}${key}` } }),
    );
  }
}
