import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Catalog } from '../checkout/ports.js';
import type { Product } from '../checkout/product.js';
import { PRODUCTS_KEY } from './schema.js';

export class DynamoCatalog implements Catalog {
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
}

/** An item that lacks what a sale needs is treated as no product, never sold at a wrong price. */
export function toProduct(item: Record<string, unknown>): Product | undefined {
  const { purchaseToken, sku, description, unitPriceMinor, currency, taxRatePercent, available, sold, ean } =
    item;
  if (
    typeof purchaseToken !== 'string' ||
    typeof sku !== 'string' ||
    typeof description !== 'string' ||
    !Number.isSafeInteger(unitPriceMinor) ||
    typeof currency !== 'string' ||
    !Number.isSafeInteger(taxRatePercent) ||
    !Number.isSafeInteger(available)
  ) {
    return undefined;
  }
  return {
    purchaseToken,
    sku,
    description,
    unitPriceMinor: unitPriceMinor as number,
    currency,
    taxRatePercent: taxRatePercent as number,
    available: available as number,
    sold: typeof sold === 'number' ? sold : 0,
    ean: typeof ean === 'string' ? ean : undefined,
  };
}
