import {
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { RefusedError, UnknownPurchaseTokenError } from '../checkout/errors.js';
import type { CatalogAdmin, StockChange } from '../checkout/ports.js';
import { type CatalogEntry, checkProductDetails, type Product } from '../checkout/product.js';
import { decodePage, encodePage } from './pages.js';
import { PRODUCTS_KEY } from './schema.js';

/** The catalog in DynamoDB: one item per purchase token, with its stock counters. */
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

  async upsert(entry: CatalogEntry, { setStock }: { setStock: boolean }): Promise<'created' | 'updated'> {
    const { purchaseToken, onHand, ean } = entry;
    // The catalog's own fields by name: an entry object carrying more never writes more.
    const details = {
      sku: entry.sku,
      description: entry.description,
      unitPriceMinor: entry.unitPriceMinor,
      currency: entry.currency,
      taxRatePercent: entry.taxRatePercent,
    };
    const sets = Object.keys(details).map((_name, index) => `#f${index} = :v${index}`);
    const names = Object.fromEntries(Object.keys(details).map((name, index) => [`#f${index}`, name]));
    const values: Record<string, unknown> = Object.fromEntries(
      Object.values(details).map((value, index) => [`:v${index}`, value]),
    );
    if (ean) {
      sets.push('ean = :ean');
      values[':ean'] = ean;
    }
    const update = (
      extra: string[],
      condition: string,
      extraValues: Record<string, unknown>,
    ): UpdateCommandInput => ({
      TableName: this.tableName,
      Key: { [PRODUCTS_KEY]: purchaseToken },
      UpdateExpression: `SET ${[...sets, ...extra].join(', ')}${ean ? '' : ' REMOVE ean'}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: { ...names, '#key': PRODUCTS_KEY },
      ExpressionAttributeValues: { ...values, ...extraValues },
    });
    try {
      // A new product: on sale, with its units on the shelf and none reserved.
      await this.document.send(
        new UpdateCommand(
          update(
            ['onHand = :onHand', 'available = :onHand', 'reserved = :zero', 'sold = :zero', 'active = :true'],
            'attribute_not_exists(#key)',
            { ':onHand': onHand, ':zero': 0, ':true': true },
          ),
        ),
      );
      return 'created';
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
    if (!setStock) {
      await this.document.send(new UpdateCommand(update([], 'attribute_exists(#key)', {})));
      return 'updated';
    }
    try {
      await this.document.send(new UpdateCommand(update(...setOnHand(onHand))));
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      throw await this.refusal(purchaseToken, { set: onHand });
    }
    return 'updated';
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

  async adjustStock(purchaseToken: string, change: StockChange): Promise<Product> {
    const amount = 'set' in change ? change.set : change.delta;
    if (!Number.isSafeInteger(amount) || ('set' in change && amount < 0))
      throw new RefusedError('stock must be a whole number ≥ 0');
    const [sets, condition, values] =
      'set' in change
        ? setOnHand(change.set)
        : ([
            [
              'onHand = if_not_exists(onHand, available) + :delta',
              'available = available + :delta',
              'reserved = if_not_exists(reserved, :zero)',
            ],
            // A decrease may only take units that are available: never one an order holds.
            change.delta < 0 ? 'attribute_exists(#key) AND available >= :needed' : 'attribute_exists(#key)',
            { ':delta': change.delta, ':zero': 0, ...(change.delta < 0 ? { ':needed': -change.delta } : {}) },
          ] as const);
    return this.write(purchaseToken, sets, condition, values, () => this.refusal(purchaseToken, change));
  }

  async setActive(purchaseToken: string, active: boolean): Promise<Product> {
    return this.write(
      purchaseToken,
      ['active = :active'],
      'attribute_exists(#key)',
      { ':active': active },
      async () => new UnknownPurchaseTokenError(purchaseToken),
    );
  }

  private async write(
    purchaseToken: string,
    sets: readonly string[],
    condition: string,
    values: Record<string, unknown>,
    refusal: () => Promise<Error>,
  ): Promise<Product> {
    try {
      const { Attributes } = await this.document.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PRODUCTS_KEY]: purchaseToken },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#key': PRODUCTS_KEY },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const product = Attributes ? toProduct(Attributes) : undefined;
      if (!product) throw new UnknownPurchaseTokenError(purchaseToken);
      return product;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      throw await refusal();
    }
  }

  /** Why a stock change was refused, read after the fact. */
  private async refusal(purchaseToken: string, change: StockChange): Promise<Error> {
    const product = await this.getProduct(purchaseToken);
    if (!product) return new UnknownPurchaseTokenError(purchaseToken);
    if ('set' in change) {
      return new RefusedError(
        `${purchaseToken}: ${change.set} on hand is fewer than the ${product.reserved} held by open orders; set at least ${product.reserved}`,
      );
    }
    return new RefusedError(
      `only ${product.available} of ${purchaseToken} available; cannot take ${-change.delta}`,
    );
  }
}

/** Sets onHand, keeping every reservation: never below what open orders hold. */
function setOnHand(onHand: number): [string[], string, Record<string, unknown>] {
  return [
    [
      'onHand = :onHand',
      'available = :onHand - if_not_exists(reserved, :zero)',
      'reserved = if_not_exists(reserved, :zero)',
    ],
    'attribute_exists(#key) AND (attribute_not_exists(reserved) OR reserved <= :onHand)',
    { ':onHand': onHand, ':zero': 0 },
  ];
}

/**
 * An item as a product. One that breaks the catalog's rules (`checkProductDetails`, the rules an
 * import enforces, and whole, non-negative counters) is treated as no product: never sold at a
 * wrong or missing price. Items from before the stock model hold `available` and `sold` only:
 * read as onHand = available, none reserved.
 */
export function toProduct(item: Record<string, unknown>): Product | undefined {
  const parsed = checkProductDetails(item);
  if (!parsed.ok) return undefined;
  const counters = ['onHand', 'reserved', 'available', 'sold'] as const;
  const count = Object.fromEntries(counters.map((name) => [name, item[name]])) as Record<
    (typeof counters)[number],
    unknown
  >;
  const broken = Object.values(count).some(
    (value) => value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0),
  );
  if (broken) return undefined;
  const reserved = (count.reserved as number | undefined) ?? 0;
  const onHand =
    (count.onHand as number | undefined) ?? ((count.available as number | undefined) ?? 0) + reserved;
  return {
    ...parsed.value,
    onHand,
    reserved,
    available: (count.available as number | undefined) ?? onHand - reserved,
    sold: (count.sold as number | undefined) ?? 0,
    active: item.active !== false,
  };
}
