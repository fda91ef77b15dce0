import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StockDelta } from '../checkout/stock.js';
import { PRODUCTS_KEY, stockItemKey } from './schema.js';

export type Update = NonNullable<NonNullable<TransactWriteCommandInput['TransactItems']>[number]['Update']>;

/**
 * A stock delta as one conditional update of the product item. `available` is stored beside
 * onHand and reserved because a condition cannot subtract: every write keeps it equal to
 * onHand − reserved. Items from before the stock model hold only `available` (and `sold`):
 * the first write gives them `onHand` = what was available then and `reserved` = 0.
 */
export function stockUpdate(delta: StockDelta, table: string): Update {
  const conditions = ['attribute_exists(#key)'];
  const values: Record<string, unknown> = {
    ':zero': 0,
    ':onHand': delta.onHand,
    ':reserved': delta.reserved,
    ':sold': delta.sold,
    ':available': delta.onHand - delta.reserved,
  };
  if (delta.requireAvailable !== undefined) {
    conditions.push('available >= :needed');
    values[':needed'] = delta.requireAvailable;
  }
  // Shard items carry their product's `active` (setActive writes them all), so the item a
  // reservation takes from answers for the product: the product item is never in the transaction.
  if (delta.requireActive) {
    conditions.push('(attribute_not_exists(active) OR active = :true)');
    values[':true'] = true;
  }
  return {
    TableName: table,
    Key: { [PRODUCTS_KEY]: stockItemKey(delta.purchaseToken, delta.shard) },
    // All right-hand sides read the item as it was: onHand falls back to the old `available`.
    UpdateExpression:
      'SET onHand = if_not_exists(onHand, available) + :onHand, available = available + :available, ' +
      'reserved = if_not_exists(reserved, :zero) + :reserved, sold = if_not_exists(sold, :zero) + :sold',
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: { '#key': PRODUCTS_KEY },
    ExpressionAttributeValues: values,
    // When a guard fails, say what the product held: sold out and off sale read differently.
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}
