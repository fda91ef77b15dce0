import {
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  type Bundle,
  bundleAvailable,
  bundleHasNoStock,
  bundleInTheWay,
  bundleWorth,
  isBundle,
  productInTheWay,
  readBundleParts,
} from '../checkout/bundle.js';
import { RefusedError, UnknownPurchaseTokenError } from '../checkout/errors.js';
import type { CatalogAdmin, StockChange } from '../checkout/ports.js';
import {
  type CatalogEntry,
  checkProductDetails,
  MAX_STOCK_SHARDS,
  type Product,
} from '../checkout/product.js';
import { type ShardLevels, type StockLevels, spreadStock } from '../checkout/stock.js';
import { batchGet } from './batch-get.js';
import { decodePage, encodePage } from './pages.js';
import { PRODUCTS_KEY, SHARD_OF, stockItemKey } from './schema.js';
import { transactWrite } from './transactions.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** Attempts at a shard-spanning stock change that keeps meeting purchases in flight. */
const SPREAD_ATTEMPTS = 5;

/** One stock item as read; `legacy`: a product item from before the stock model (no onHand yet). */
interface SeenShard extends ShardLevels {
  readonly legacy: boolean;
  /** The product's, which every shard item carries. */
  readonly active: boolean;
}

/** The catalog in DynamoDB: one item per purchase token, with its stock counters. */
export class DynamoCatalog implements CatalogAdmin {
  constructor(
    private readonly document: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The product item alone (shard 0), read consistently, as stored and as a product. */
  private async productItem(
    purchaseToken: string,
  ): Promise<{ item?: Record<string, unknown>; product?: Product | undefined }> {
    const { Item } = await this.document.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PRODUCTS_KEY]: purchaseToken },
        ConsistentRead: true,
      }),
    );
    return { item: Item, product: Item ? toProduct(Item) : undefined };
  }

  async getProduct(purchaseToken: string): Promise<Product | undefined> {
    const { product } = await this.productItem(purchaseToken);
    return product && this.withStock(product);
  }

  /**
   * A product with all of its stock: every shard's, or, for a bundle, what its components allow
   * (read unless `known`, the products already read with their stock, has them).
   */
  private async withStock(product: Product, known?: ReadonlyMap<string, Product>): Promise<Product> {
    if (isBundle(product)) {
      const parts = await Promise.all(
        product.components.map(
          async (part) => known?.get(part.purchaseToken) ?? this.getProduct(part.purchaseToken),
        ),
      );
      const available = bundleAvailable(
        product,
        (token) => parts.find((part) => part?.purchaseToken === token)?.available ?? 0,
      );
      return { ...product, available };
    }
    if (product.stockShards === 1) return product;
    return withShards(product, await this.shardItems(product.purchaseToken, product.stockShards));
  }

  async upsertBundle(bundle: Bundle): Promise<'created' | 'updated'> {
    const { purchaseToken } = bundle;
    // The bundle's own fields by name: an object carrying more (a product read back) never writes more.
    const fields: Record<string, unknown> = {
      sku: bundle.sku,
      description: bundle.description,
      unitPriceMinor: bundle.unitPriceMinor,
      currency: bundle.currency,
      taxRatePercent: bundle.taxRatePercent,
      components: bundle.components,
    };
    const names = Object.keys(fields);
    try {
      const { Attributes } = await this.document.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PRODUCTS_KEY]: purchaseToken },
          UpdateExpression: `SET ${names.map((_name, index) => `#f${index} = :v${index}`).join(', ')}, active = if_not_exists(active, :true) REMOVE ean`,
          // New, or a bundle already: never a product whose counters orders hold.
          ConditionExpression: 'attribute_not_exists(#key) OR attribute_exists(components)',
          ExpressionAttributeNames: {
            '#key': PRODUCTS_KEY,
            ...Object.fromEntries(names.map((name, index) => [`#f${index}`, name])),
          },
          ExpressionAttributeValues: {
            ':true': true,
            ...Object.fromEntries(Object.values(fields).map((value, index) => [`:v${index}`, value])),
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return Attributes?.sku === undefined ? 'created' : 'updated';
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      throw new RefusedError(productInTheWay(purchaseToken));
    }
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
      // A bundle's item has no counters to update: that token stays a bundle.
      ConditionExpression: `${condition} AND attribute_not_exists(components)`,
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
      try {
        await this.document.send(new UpdateCommand(update([], 'attribute_exists(#key)', {})));
      } catch (error) {
        // The item exists (the create failed), so the guard that failed is the bundle's.
        if ((error as Error).name === 'ConditionalCheckFailedException') {
          throw new RefusedError(bundleInTheWay(purchaseToken));
        }
        throw error;
      }
      return 'updated';
    }
    const current = await this.getProduct(purchaseToken);
    if (current && isBundle(current)) throw new RefusedError(bundleInTheWay(purchaseToken));
    if (current && current.stockShards > 1) {
      await this.document.send(new UpdateCommand(update([], 'attribute_exists(#key)', {})));
      await this.adjustStock(purchaseToken, { set: onHand });
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
    const read = (Items ?? [])
      .filter((item) => item[SHARD_OF] === undefined)
      .flatMap((item) => toProduct(item) ?? []);
    // Products first, so a bundle whose components are on this page does not read them again.
    const products = await Promise.all(
      read.filter((product) => !isBundle(product)).map((product) => this.withStock(product)),
    );
    const known = new Map(products.map((product) => [product.purchaseToken, product]));
    return {
      products: await Promise.all(
        read.map((product) => known.get(product.purchaseToken) ?? this.withStock(product, known)),
      ),
      nextPage: encodePage(LastEvaluatedKey),
    };
  }

  async adjustStock(purchaseToken: string, change: StockChange): Promise<Product> {
    const amount = 'set' in change ? change.set : change.delta;
    if (!Number.isSafeInteger(amount) || ('set' in change && amount < 0))
      throw new RefusedError('stock must be a whole number ≥ 0');
    const product = await this.getProduct(purchaseToken);
    if (!product) throw new UnknownPurchaseTokenError(purchaseToken);
    if (isBundle(product)) throw new RefusedError(bundleHasNoStock(product));
    if (product.stockShards > 1) {
      return this.spread(purchaseToken, (total) => {
        if ('set' in change) return { shards: total.shards, onHand: change.set };
        if (change.delta < 0 && total.available < -change.delta) {
          throw new RefusedError(
            `only ${total.available} of ${purchaseToken} available; cannot take ${-change.delta}`,
          );
        }
        return { shards: total.shards, onHand: total.onHand + change.delta };
      });
    }
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
    const product = await this.getProduct(purchaseToken);
    if (product && product.stockShards > 1) return this.setActiveSharded(product, active);
    return this.write(
      purchaseToken,
      ['active = :active'],
      'attribute_exists(#key)',
      { ':active': active },
      async () => new UnknownPurchaseTokenError(purchaseToken),
    );
  }

  /**
   * Every shard item carries its product's `active`, so a reservation needs only the item it takes
   * from: all of them change in one transaction, as long as the shard count is still as read.
   */
  private async setActiveSharded(product: Product, active: boolean): Promise<Product> {
    const { purchaseToken } = product;
    let shards = product.stockShards;
    for (let attempt = 1; attempt <= SPREAD_ATTEMPTS; attempt++) {
      const items: TransactItem[] = Array.from({ length: shards }, (_, shard) => ({
        Update: {
          TableName: this.tableName,
          Key: { [PRODUCTS_KEY]: stockItemKey(purchaseToken, shard) },
          UpdateExpression: 'SET active = :active',
          ConditionExpression: shard === 0 ? 'stockShards = :shards' : 'attribute_exists(#key)',
          ...(shard === 0 ? {} : { ExpressionAttributeNames: { '#key': PRODUCTS_KEY } }),
          ExpressionAttributeValues: { ':active': active, ...(shard === 0 ? { ':shards': shards } : {}) },
        },
      }));
      const outcome = await transactWrite(this.document, { TransactItems: items }).catch((error: Error) => {
        if (error.name === 'TransactionCanceledException') return { failed: [true], items: [] };
        throw error;
      });
      const now = await this.getProduct(purchaseToken);
      if (!now) throw new UnknownPurchaseTokenError(purchaseToken);
      if (!outcome) return now;
      shards = now.stockShards;
      if (shards === 1) return this.setActive(purchaseToken, active);
    }
    throw new RefusedError(`${purchaseToken}: its stock shards kept changing; try again`);
  }

  async setStockShards(purchaseToken: string, shards: number): Promise<Product> {
    if (!Number.isSafeInteger(shards) || shards < 1 || shards > MAX_STOCK_SHARDS) {
      throw new RefusedError(`stock shards must be a whole number from 1 to ${MAX_STOCK_SHARDS}`);
    }
    const product = await this.getProduct(purchaseToken);
    if (product && isBundle(product)) throw new RefusedError(bundleHasNoStock(product));
    return this.spread(purchaseToken, (total) => ({ shards, onHand: total.onHand }));
  }

  /** Shard items 1…shards−1 of a product, read consistently; a missing one is simply absent. */
  private async shardItems(purchaseToken: string, shards: number): Promise<Record<string, unknown>[]> {
    if (shards <= 1) return [];
    return batchGet(this.document, {
      [this.tableName]: {
        Keys: Array.from({ length: shards - 1 }, (_, index) => ({
          [PRODUCTS_KEY]: stockItemKey(purchaseToken, index + 1),
        })),
        ConsistentRead: true,
      },
    });
  }

  /**
   * A stock change across shards: read every stock item, let `plan` say how many shards and how
   * many units on hand there should be, spread them (`spreadStock`), then write all of it in one
   * transaction, each item only if it is still as read. A purchase landing in between makes the
   * transaction fail; it is then read and planned again.
   */
  private async spread(
    purchaseToken: string,
    plan: (total: StockLevels & { available: number; shards: number }) => { shards: number; onHand: number },
  ): Promise<Product> {
    for (let attempt = 1; attempt <= SPREAD_ATTEMPTS; attempt++) {
      const { item, product } = await this.productItem(purchaseToken);
      if (!item || !product) throw new UnknownPurchaseTokenError(purchaseToken);
      const current: SeenShard[] = [
        {
          shard: 0,
          onHand: product.onHand,
          reserved: product.reserved,
          sold: product.sold,
          legacy: item.onHand === undefined,
          active: product.active,
        },
        ...(await this.shardItems(purchaseToken, product.stockShards)).map((item) => ({
          shard: Number(String(item[PRODUCTS_KEY]).split('#')[1]),
          ...levels(item),
          legacy: false,
          active: product.active,
        })),
      ];
      const total = sumLevels(current);
      const target = plan({
        ...total,
        available: total.onHand - total.reserved,
        shards: product.stockShards,
      });
      const next = spreadStock(purchaseToken, current, target);
      const outcome = await transactWrite(this.document, {
        TransactItems: this.spreadWrites(purchaseToken, current, next, product.stockShards),
      }).catch((error: Error) => {
        if (error.name === 'TransactionCanceledException') return { failed: [true], items: [] };
        throw error;
      });
      if (!outcome) return (await this.getProduct(purchaseToken)) as Product;
    }
    throw new RefusedError(`${purchaseToken}: stock kept changing while it was being set; try again`);
  }

  /**
   * The writes from `current` to `next`, each guarded by the item being as it was read, and the
   * product item by its shard count too: the product item and its shards are read one after the
   * other, so a re-spread may land between the two reads, leave the product item's counters as
   * they were and change only which shards exist. Without the count, a plan from such a torn
   * read would pass every guard and lose the units on the shards it did not see.
   */
  private spreadWrites(
    purchaseToken: string,
    current: readonly SeenShard[],
    next: readonly ShardLevels[],
    seenShards: number,
  ): TransactItem[] {
    const key = (shard: number) => ({ [PRODUCTS_KEY]: stockItemKey(purchaseToken, shard) });
    const asRead = (seen: SeenShard) => {
      // Items from before the stock model have no onHand yet: as read, it was available + reserved.
      const counters = seen.legacy
        ? 'attribute_not_exists(onHand) AND available = :seenAvailable AND sold = :seenSold'
        : 'onHand = :seenOnHand AND reserved = :seenReserved AND sold = :seenSold';
      // New shards copy the product's `active`: it must not change under them.
      const active = seen.active
        ? ' AND (attribute_not_exists(active) OR active = :seenActive)'
        : ' AND active = :seenActive';
      // A product never spread has no stockShards attribute: one shard.
      const shards =
        seenShards === 1
          ? ' AND (attribute_not_exists(stockShards) OR stockShards = :seenShards)'
          : ' AND stockShards = :seenShards';
      return {
        ConditionExpression: `${counters}${seen.shard === 0 ? `${active}${shards}` : ''}`,
        ExpressionAttributeValues: {
          ...(seen.legacy
            ? { ':seenAvailable': seen.onHand - seen.reserved, ':seenSold': seen.sold }
            : { ':seenOnHand': seen.onHand, ':seenReserved': seen.reserved, ':seenSold': seen.sold }),
          ...(seen.shard === 0 ? { ':seenActive': seen.active, ':seenShards': seenShards } : {}),
        },
      };
    };
    const writes: TransactItem[] = next.map((levels) => {
      const seen = current.find((candidate) => candidate.shard === levels.shard);
      const counters = {
        onHand: levels.onHand,
        reserved: levels.reserved,
        available: levels.onHand - levels.reserved,
        sold: levels.sold,
      };
      if (!seen) {
        return {
          Put: {
            TableName: this.tableName,
            Item: {
              ...key(levels.shard),
              [SHARD_OF]: purchaseToken,
              ...counters,
              active: current[0]?.active ?? true,
            },
            ConditionExpression: 'attribute_not_exists(#key)',
            ExpressionAttributeNames: { '#key': PRODUCTS_KEY },
          },
        };
      }
      const guard = asRead(seen);
      // Shard 0 is the product item: it also keeps how many shards there are.
      const own = levels.shard === 0 ? { ...counters, stockShards: next.length } : counters;
      const names = Object.keys(own);
      return {
        Update: {
          TableName: this.tableName,
          Key: key(levels.shard),
          UpdateExpression: `SET ${names.map((name) => `${name} = :${name}`).join(', ')}`,
          ConditionExpression: guard.ConditionExpression,
          ExpressionAttributeValues: {
            ...guard.ExpressionAttributeValues,
            ...Object.fromEntries(Object.entries(own).map(([name, value]) => [`:${name}`, value])),
          },
        },
      };
    });
    for (const seen of current.filter((candidate) => candidate.shard >= next.length)) {
      writes.push({ Delete: { TableName: this.tableName, Key: key(seen.shard), ...asRead(seen) } });
    }
    return writes;
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
  const shards = item.stockShards ?? 1;
  if (
    broken ||
    !Number.isSafeInteger(shards) ||
    (shards as number) < 1 ||
    (shards as number) > MAX_STOCK_SHARDS
  ) {
    return undefined;
  }
  const reserved = (count.reserved as number | undefined) ?? 0;
  const onHand =
    (count.onHand as number | undefined) ?? ((count.available as number | undefined) ?? 0) + reserved;
  const components =
    item.components === undefined ? undefined : readBundleParts(item.components, parsed.value.currency);
  // A bundle that cannot be invoiced as stored (a part unreadable, a price above its parts' worth)
  // is no product: never sold with a row missing or a negative discount.
  if (
    item.components !== undefined &&
    (!components || parsed.value.unitPriceMinor > bundleWorth(components))
  ) {
    return undefined;
  }
  return {
    ...parsed.value,
    onHand,
    reserved,
    available: (count.available as number | undefined) ?? onHand - reserved,
    sold: (count.sold as number | undefined) ?? 0,
    active: item.active !== false,
    stockShards: shards as number,
    ...(components ? { components } : {}),
  };
}

/** A shard item's counters; one that is not whole and non-negative counts as empty. */
function levels(item: Record<string, unknown>): StockLevels {
  const count = (name: string) => {
    const value = item[name];
    return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : 0;
  };
  return { onHand: count('onHand'), reserved: count('reserved'), sold: count('sold') };
}

function sumLevels(all: readonly StockLevels[]): StockLevels {
  return all.reduce(
    (sum, one) => ({
      onHand: sum.onHand + one.onHand,
      reserved: sum.reserved + one.reserved,
      sold: sum.sold + one.sold,
    }),
    { onHand: 0, reserved: 0, sold: 0 },
  );
}

/** The product with its shards' counters added to its own: what the operator sees. */
function withShards(product: Product, shardItems: readonly Record<string, unknown>[]): Product {
  const total = sumLevels([product, ...shardItems.map(levels)]);
  return { ...product, ...total, available: total.onHand - total.reserved };
}
