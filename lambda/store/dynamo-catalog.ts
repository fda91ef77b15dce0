import { type DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RefusedError, UnknownPurchaseTokenError } from '../checkout/errors.js';
import type { CatalogAdmin, ProductDetails } from '../checkout/ports.js';
import { type Product, productSchema } from '../checkout/product.js';
import { decodePage, encodePage } from './pages.js';
import { PRODUCTS_KEY } from './schema.js';

export class DynamoCatalog implements CatalogAdmin {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getProduct(purchaseToken: string): Promise<Product | undefined> {
    const { Item } = await this.document.send(
      new GetCommand({ TableName: this.tableName, Key: { [PRODUCTS_KEY]: purchaseToken } }),
    );
    return Item ? toProduct(Item) : undefined;
  }

  async upsert(product: ProductDetails, { setStock }: { setStock: boolean }): Promise<'created' | 'updated'> {
    const { purchaseToken, available, ean, ...details } = product;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':available': available, ':zero': 0 };
    const sets = Object.entries(details).map(([name, value], index) => {
      names[`#f${index}`] = name;
      values[`:v${index}`] = value;
      return `#f${index} = :v${index}`;
    });
    sets.push(setStock ? 'available = :available' : 'available = if_not_exists(available, :available)');
    sets.push('sold = if_not_exists(sold, :zero)');
    if (ean) {
      sets.push('ean = :ean');
      values[':ean'] = ean;
    }
    const { Attributes } = await this.document.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [PRODUCTS_KEY]: purchaseToken },
        UpdateExpression: `SET ${sets.join(', ')}${ean ? '' : ' REMOVE ean'}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return Attributes && 'sku' in Attributes ? 'updated' : 'created';
  }

  async listProducts(page?: string): Promise<{ products: Product[]; nextPage?: string | undefined }> {
    const { Items, LastEvaluatedKey } = await this.document.send(
      new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: decodePage(page) }),
    );
    return {
      products: (Items ?? []).flatMap((item) => toProduct(item) ?? []),
      nextPage: encodePage(LastEvaluatedKey),
    };
  }

  async adjustStock(purchaseToken: string, change: { set: number } | { delta: number }): Promise<number> {
    const setting = 'set' in change;
    const amount = setting ? change.set : change.delta;
    if (!Number.isSafeInteger(amount) || (setting && amount < 0))
      throw new RefusedError('stock must be a whole number ≥ 0');
    try {
      const { Attributes } = await this.document.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PRODUCTS_KEY]: purchaseToken },
          UpdateExpression: setting ? 'SET available = :amount' : 'ADD available :amount',
          // Never below zero: a decrease must find at least that many units.
          ConditionExpression:
            setting || amount >= 0
              ? 'attribute_exists(sku)'
              : 'attribute_exists(sku) AND available >= :needed',
          ExpressionAttributeValues: {
            ':amount': amount,
            ...(setting || amount >= 0 ? {} : { ':needed': -amount }),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.available);
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const product = await this.getProduct(purchaseToken);
      if (!product) throw new UnknownPurchaseTokenError(purchaseToken);
      throw new RefusedError(
        `only ${product.available} of ${purchaseToken} in stock; cannot take ${-amount}`,
      );
    }
  }
}

/**
 * An item that breaks the catalog's rules (`productSchema`, the same rules an import
 * enforces) is treated as no product: never sold at a wrong or missing price.
 */
export function toProduct(item: Record<string, unknown>): Product | undefined {
  const parsed = productSchema.safeParse(item);
  if (!parsed.success) return undefined;
  return { ...parsed.data, sold: Number.isSafeInteger(item.sold) ? (item.sold as number) : 0 };
}
