import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { EXPIRES_AT, IDEMPOTENCY_KEY, KEY_PREFIX } from '../../contract/tables.js';
import type { MailLog } from '../checkout/ports.js';

/**
 * Sent mails in the idempotency table: a conditional put claims a mail key (free, or a sender's
 * lapsed lease), an update marks it sent, TTL forgets it.
 */
export class DynamoMailLog implements MailLog {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(key: string) {
    return { [IDEMPOTENCY_KEY]: `${KEY_PREFIX.mail}${key}` };
  }

  async claim(key: string, lease: { now: number; leaseUntil: number; expiresAt: number }): Promise<boolean> {
    try {
      await this.document.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key(key),
            state: 'SENDING',
            leaseUntil: lease.leaseUntil,
            [EXPIRES_AT]: lease.expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(#key) OR (#state = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#key': IDEMPOTENCY_KEY, '#state': 'state' },
          ExpressionAttributeValues: { ':sending': 'SENDING', ':now': lease.now },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async markSent(key: string): Promise<void> {
    await this.document.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(key),
        UpdateExpression: 'SET #state = :sent REMOVE leaseUntil',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sent': 'SENT' },
      }),
    );
  }

  async release(key: string): Promise<void> {
    await this.document.send(new DeleteCommand({ TableName: this.table, Key: this.key(key) }));
  }

  async records(keys: readonly string[]): Promise<{ key: string; state: string }[]> {
    const found = await Promise.all(
      keys.map(async (key) => {
        const { Item } = await this.document.send(
          new GetCommand({ TableName: this.table, Key: this.key(key) }),
        );
        return Item ? [{ key, state: String(Item.state) }] : [];
      }),
    );
    return found.flat();
  }

  async forget(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.release(key)));
  }
}
