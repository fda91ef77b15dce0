import type { Bundle, BundleEntry } from '../../lambda/checkout/model/bundle.js';
import type { CatalogEntry } from '../../lambda/checkout/model/product.js';
import type { PurchaseRequest } from '../../lambda/checkout/model/purchase-request.js';
import { type CatalogAdmin, catalogOf } from '../../lambda/checkout/use-cases/catalog.js';
import { composeBundles } from '../../lambda/checkout/use-cases/catalog-import.js';
import type { CompletePaymentDeps } from '../../lambda/checkout/use-cases/complete-payment.js';
import { type CreatePurchaseDeps, purchaseTiming } from '../../lambda/checkout/use-cases/create-purchase.js';
import type { RefundDeps } from '../../lambda/checkout/use-cases/refund.js';
import { InMemoryStore, ManualClock, RecordingEvents, ScriptedGlase } from './in-memory.js';

export const MUG: CatalogEntry = {
  purchaseToken: 'MUG-350',
  sku: 'GLS-MUG-350',
  description: 'Stoneware mug, 350 ml',
  unitPriceMinor: 14900,
  currency: 'SEK',
  taxRatePercent: 25,
  onHand: 5,
};

export const BEANS: CatalogEntry = {
  purchaseToken: 'BEANS-500',
  sku: 'GLS-BEANS-500',
  description: 'Coffee beans, 500 g',
  unitPriceMinor: 8900,
  currency: 'SEK',
  taxRatePercent: 12,
  onHand: 5,
  ean: '7350000000029',
};

/** Two mugs and a bag of beans: 387.00 SEK of parts sold for 330.00 (57.00 off, shared out). */
export const KIT: BundleEntry = {
  purchaseToken: 'KIT-COFFEE',
  sku: 'KIT-COFFEE',
  description: 'Coffee kit: 2 mugs and beans',
  currency: 'SEK',
  components: [
    { purchaseToken: MUG.purchaseToken, quantity: 2 },
    { purchaseToken: BEANS.purchaseToken, quantity: 1 },
  ],
  priceMinor: 33000,
};

/** Composes a bundle from the catalog's products (as an import does) and stores it. */
export async function addBundle(catalog: CatalogAdmin, entry: BundleEntry = KIT): Promise<Bundle> {
  const { bundles, issues } = await composeBundles(catalog, { products: [], bundles: [{ row: 1, entry }] });
  const [bundle] = bundles;
  if (!bundle) throw new Error(`bundle refused: ${JSON.stringify(issues)}`);
  await catalog.upsertBundle(bundle);
  return bundle;
}

export const REQUEST: PurchaseRequest = {
  purchaseToken: MUG.purchaseToken,
  clientName: 'John Smith',
  street: 'Storgatan 1',
  city: 'Stockholm',
  country: 'Sweden',
  state: '',
  zip: '11122',
  email: 'very.happy@shopping.com',
  msisdn: '',
};

/** A whole shop in memory: every port, and the dependencies each use case takes. */
export async function unitShop(entries: readonly CatalogEntry[] = [MUG]) {
  const store = new InMemoryStore();
  const catalog = catalogOf(store);
  for (const entry of entries) await catalog.upsert(entry, { setStock: true });
  const glase = new ScriptedGlase();
  const events = new RecordingEvents();
  const clock = new ManualClock();
  const warnings: { message: string; details: Record<string, unknown> }[] = [];
  const warn = (message: string, details: Record<string, unknown>) => warnings.push({ message, details });
  let ids = 0;
  const purchase: CreatePurchaseDeps = {
    store,
    glase,
    shop: { title: 'Test Shop', cashierId: 'till-1', footer: 'Thanks' },
    // No hold cap unless a test sets one: 100 % of the units on hand may be held.
    policy: {
      idempotencyTtlSeconds: 600,
      openOrdersPerShopper: 1,
      invoiceTtlSeconds: 900,
      heldSharePercent: 100,
    },
    clock,
    timing: purchaseTiming(5_000, 3_000),
    newOrderId: () => `ORDER${String(++ids).padStart(21, '0')}`,
    notificationUrlFor: (orderId) => `https://shop.example/webshop/notify/${orderId}?sig=x`,
    warn,
  };
  const settlement: CompletePaymentDeps = {
    store,
    glase,
    events,
    clock,
    warn,
    sleep: async () => undefined,
  };
  let refunds = 0;
  const refund: RefundDeps = {
    store,
    glase,
    shop: purchase.shop,
    clock,
    newRefundId: () => `R${++refunds}`,
    events,
    warn,
  };
  const stock = async (token = MUG.purchaseToken) => {
    const product = await catalog.getProduct(token);
    return {
      onHand: product?.onHand,
      reserved: product?.reserved,
      available: product?.available,
      sold: product?.sold,
    };
  };
  return { catalog, store, glase, events, clock, warnings, purchase, settlement, refund, stock };
}
