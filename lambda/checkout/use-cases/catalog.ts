import { type Bundle, bundleAvailable, isBundle } from '../model/bundle.js';
import { readProduct, readStock } from '../model/catalog-item.js';
import { RefusedError, UnknownPurchaseTokenError } from '../model/errors.js';
import type { CatalogEntry, Product } from '../model/product.js';
import {
  planActive,
  planBundle,
  planCreate,
  planShards,
  planStock,
  planUpdate,
  type ReadStock,
  type StockChange,
} from '../plans/catalog-plan.js';
import { type Change, ReplanNeeded } from '../plans/change.js';
import type { Store } from '../ports.js';
import { commit } from './commit.js';

/** Reading the catalog: all a purchase's bundle import needs. */
export interface Catalog {
  getProduct(purchaseToken: string): Promise<Product | undefined>;
}

/** The merchant's side of the catalog (the operator CLI, the import, `npm start`'s seed). */
export interface CatalogAdmin extends Catalog {
  /**
   * Creates the product (on sale, with `onHand` units), or updates its details. Stock is only
   * set for a new product, or when `setStock` says so: live stock is never clobbered by a price
   * update, and a reservation is never overwritten.
   */
  upsert(entry: CatalogEntry, options: { setStock: boolean }): Promise<'created' | 'updated'>;
  /** Creates or replaces a bundle (on sale when new); refused where the token is a product's. */
  upsertBundle(bundle: Bundle): Promise<'created' | 'updated'>;
  listProducts(page?: string): Promise<{ products: Product[]; nextPage?: string | undefined }>;
  adjustStock(purchaseToken: string, change: StockChange): Promise<Product>;
  setActive(purchaseToken: string, active: boolean): Promise<Product>;
  setStockShards(purchaseToken: string, shards: number): Promise<Product>;
}

/** Reads, plans again and retries this often while purchases keep moving the stock under a plan. */
const ATTEMPTS = 5;

/**
 * The catalog over the store: every change is read, planned (plans/catalog-plan.ts) and committed;
 * a guard that failed because the items moved meanwhile makes it read and plan again.
 */
export function catalogOf(store: Store): CatalogAdmin {
  const read = async (purchaseToken: string): Promise<ReadStock | undefined> => {
    const items = await store.getProductItems(purchaseToken);
    return items && readStock(items);
  };
  const known = async (purchaseToken: string): Promise<ReadStock> => {
    const found = await read(purchaseToken);
    if (!found) throw new UnknownPurchaseTokenError(purchaseToken);
    return found;
  };
  /** A bundle's `available`: what its components allow (read unless `seen` has them). */
  const withBundleStock = async (product: Product, seen?: ReadonlyMap<string, Product>) => {
    if (!isBundle(product)) return product;
    const parts = await Promise.all(
      product.components.map(
        async (part) => seen?.get(part.purchaseToken) ?? (await read(part.purchaseToken))?.product,
      ),
    );
    const availableOf = (token: string) =>
      parts.find((part) => part?.purchaseToken === token)?.available ?? 0;
    return { ...product, available: bundleAvailable(product, availableOf) };
  };
  const getProduct = async (purchaseToken: string) => {
    const found = await read(purchaseToken);
    return found && withBundleStock(found.product);
  };
  /** Plans from a fresh read and commits, again while the items keep moving. */
  const change = async (purchaseToken: string, plan: (current: ReadStock) => Change): Promise<Product> => {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        await commit(store, plan(await known(purchaseToken)));
        return (await getProduct(purchaseToken)) as Product;
      } catch (error) {
        if (!(error instanceof ReplanNeeded)) throw error;
      }
    }
    throw new RefusedError(`${purchaseToken}: its stock kept changing while it was being set; try again`);
  };

  return {
    getProduct,
    async upsert(entry, { setStock }) {
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          const current = await read(entry.purchaseToken);
          if (!current) {
            await commit(store, planCreate(entry));
            return 'created';
          }
          const details = planUpdate(current, entry);
          // Refused before anything is written: the stock the entry asks for must be possible.
          if (setStock) planStock(current, { set: entry.onHand });
          await commit(store, details);
          if (setStock) await change(entry.purchaseToken, (now) => planStock(now, { set: entry.onHand }));
          return 'updated';
        } catch (error) {
          if (!(error instanceof ReplanNeeded)) throw error;
        }
      }
      throw new RefusedError(
        `${entry.purchaseToken}: it kept changing while it was being written; try again`,
      );
    },
    async upsertBundle(bundle) {
      const existed = (await store.getProductItems(bundle.purchaseToken)) !== undefined;
      await commit(store, planBundle(bundle));
      return existed ? 'updated' : 'created';
    },
    async listProducts(page) {
      const { items, nextPage } = await store.listProductItems(page);
      const read = items.flatMap((item) => readProduct(item) ?? []);
      // Products first (a sharded one with every shard's stock), so a bundle whose components are
      // on this page does not read them again.
      const products = await Promise.all(
        read
          .filter((product) => !isBundle(product))
          .map(async (product) =>
            product.stockShards > 1 ? ((await getProduct(product.purchaseToken)) ?? product) : product,
          ),
      );
      const seen = new Map(products.map((product) => [product.purchaseToken, product]));
      return {
        products: await Promise.all(
          read.map((product) => seen.get(product.purchaseToken) ?? withBundleStock(product, seen)),
        ),
        nextPage,
      };
    },
    adjustStock: (purchaseToken, stockChange) =>
      change(purchaseToken, (current) => planStock(current, stockChange)),
    setActive: (purchaseToken, active) => change(purchaseToken, (current) => planActive(current, active)),
    setStockShards: (purchaseToken, shards) =>
      change(purchaseToken, (current) => planShards(current, shards)),
  };
}
