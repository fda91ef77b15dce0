import type { Bundle } from '../../lambda/checkout/model/bundle.js';
import {
  OpenOrderLimitError,
  ProductNotForSaleError,
  RefusedError,
  SoldOutError,
} from '../../lambda/checkout/model/errors.js';
import type { Product } from '../../lambda/checkout/model/product.js';
import type { ShardLevels } from '../../lambda/checkout/model/stock.js';
import {
  planActive,
  planBundle,
  planCreate,
  planShards,
  planStock,
  planUpdate,
  type ReadStock,
} from '../../lambda/checkout/plans/catalog-plan.js';
import { afterRejection, ReplanNeeded, type Write } from '../../lambda/checkout/plans/change.js';

/** The catalog's rules, planned from a read and checked without any store. */
const details = {
  purchaseToken: 'MUG',
  sku: 'GLS-MUG',
  description: 'Mug',
  unitPriceMinor: 14900,
  currency: 'SEK',
  taxRatePercent: 25,
};

function read(shards: readonly Omit<ShardLevels, 'shard'>[], overrides: Partial<Product> = {}): ReadStock {
  const levels = shards.map((one, shard) => ({ shard, ...one }));
  const total = levels.reduce(
    (sum, one) => ({
      onHand: sum.onHand + one.onHand,
      reserved: sum.reserved + one.reserved,
      sold: sum.sold + one.sold,
    }),
    { onHand: 0, reserved: 0, sold: 0 },
  );
  return {
    product: {
      ...details,
      ...total,
      available: total.onHand - total.reserved,
      active: true,
      stockShards: shards.length,
      ...overrides,
    },
    shards: levels,
  };
}
const one = (onHand: number, reserved = 0, sold = 0) => read([{ onHand, reserved, sold }]);
const bundle = {
  ...details,
  purchaseToken: 'KIT',
  components: [
    {
      purchaseToken: 'MUG',
      sku: 'M',
      description: 'Mug',
      unitPriceMinor: 100,
      taxRatePercent: 25,
      quantity: 2,
    },
  ],
} satisfies Bundle;
const asBundle = read([{ onHand: 0, reserved: 0, sold: 0 }], {
  purchaseToken: 'KIT',
  components: bundle.components,
});

describe('the catalog planner', () => {
  it('creates a product only where nothing is, reading again if something is', () => {
    expect(planCreate({ ...details, onHand: 5 }).writes).toEqual([
      { kind: 'product', details, create: { onHand: 5 }, refusal: { kind: 'replan' } },
    ]);
  });

  it('updates details only, never stock; refuses a product over a bundle and a bundle over a product', () => {
    expect(planUpdate(one(3), { ...details, description: 'Renamed', onHand: 99 }).writes).toEqual([
      { kind: 'product', details: { ...details, description: 'Renamed' }, refusal: { kind: 'replan' } },
    ]);
    expect(() => planUpdate(asBundle, { ...details, purchaseToken: 'KIT', onHand: 1 })).toThrow(
      'KIT is a bundle; give the product a purchase token of its own',
    );
    const [write] = planBundle(bundle).writes;
    expect(write?.kind).toBe('bundle');
    expect(write?.refusal.kind === 'refuse' && write.refusal.error()).toEqual(
      new RefusedError('KIT is a product with stock of its own; give the bundle a purchase token of its own'),
    );
  });

  it('moves stock by a delta guarded by what is available; sets it guarded by what it was and what orders hold', () => {
    expect(planStock(one(5, 2), { delta: 3 }).writes).toEqual([
      {
        kind: 'stock',
        delta: { purchaseToken: 'MUG', onHand: 3, reserved: 0, sold: 0 },
        refusal: { kind: 'replan' },
      },
    ]);
    expect(planStock(one(5, 2), { delta: -3 }).writes[0]).toMatchObject({
      delta: { onHand: -3, requireAvailable: 3 },
    });
    expect(planStock(one(5, 2), { set: 8 }).writes[0]).toMatchObject({
      delta: { onHand: 3 },
      onHandWas: 5,
      reservedAtMost: 8,
    });
    expect(planStock(one(5, 2), { set: 2 }).writes[0]).toMatchObject({ delta: { onHand: -3 } });
  });

  it.each([
    ['taking more than is available', one(5, 2), { delta: -4 }, 'only 3 of MUG available; cannot take 4'],
    [
      'setting less than orders hold',
      one(5, 2),
      { set: 1 },
      'MUG: 1 on hand is fewer than the 2 held by open orders; set at least 2',
    ],
    ['a negative count', one(5), { set: -1 }, 'stock must be a whole number ≥ 0'],
    ['a fraction', one(5), { delta: 1.5 }, 'stock must be a whole number ≥ 0'],
    [
      'stock of a bundle',
      asBundle,
      { delta: 1 },
      "KIT is a bundle: it has no stock of its own, its components' (MUG) sell it",
    ],
  ] as const)('refuses %s', (_name, current, change, message) => {
    expect(() => planStock(current, change)).toThrow(new RefusedError(message));
  });

  it('spreads a sharded product’s stock again, each item guarded by being as read, the product item by its count', () => {
    const spread = read([
      { onHand: 3, reserved: 1, sold: 0 },
      { onHand: 3, reserved: 0, sold: 2 },
    ]);
    const writes = planStock(spread, { set: 9 }).writes;
    expect(writes).toEqual([
      {
        kind: 'stock-item',
        purchaseToken: 'MUG',
        shard: 0,
        levels: { onHand: 5, reserved: 1, sold: 0 },
        expected: { onHand: 3, reserved: 1, sold: 0 },
        active: true,
        shardCount: { was: 2, becomes: 2 },
        refusal: { kind: 'replan' },
      },
      {
        kind: 'stock-item',
        purchaseToken: 'MUG',
        shard: 1,
        levels: { onHand: 4, reserved: 0, sold: 2 },
        expected: { onHand: 3, reserved: 0, sold: 2 },
        active: true,
        refusal: { kind: 'replan' },
      },
    ]);
    expect(() => planStock(spread, { set: 0 })).toThrow(/0 on hand is fewer than the 1 held by open orders/);
    const grown = planShards(spread, 3).writes;
    expect(
      grown.map((write) => write.kind === 'stock-item' && [write.shard, write.expected, write.levels]),
    ).toEqual([
      [0, { onHand: 3, reserved: 1, sold: 0 }, { onHand: 3, reserved: 1, sold: 0 }],
      [1, { onHand: 3, reserved: 0, sold: 2 }, { onHand: 2, reserved: 0, sold: 2 }],
      [2, 'absent', { onHand: 1, reserved: 0, sold: 0 }],
    ]);
    // A shard that goes: removed only if still as read; what it sold moves to the product item.
    const shrunk = planShards(spread, 1).writes;
    expect(shrunk.map((write) => write.kind === 'stock-item' && [write.shard, write.levels])).toEqual([
      [0, { onHand: 6, reserved: 1, sold: 2 }],
      [1, undefined],
    ]);
  });

  it.each([0, 33, 1.5])('refuses %p shards', (shards) => {
    expect(() => planShards(one(3), shards)).toThrow('stock shards must be a whole number from 1 to 32');
  });

  it('puts on sale or takes off every stock item, the product item guarded by the shard count', () => {
    expect(
      planActive(
        read([
          { onHand: 1, reserved: 0, sold: 0 },
          { onHand: 1, reserved: 0, sold: 0 },
        ]),
        false,
      ).writes,
    ).toEqual([
      {
        kind: 'active',
        purchaseToken: 'MUG',
        shard: 0,
        active: false,
        shardCount: 2,
        refusal: { kind: 'replan' },
      },
      { kind: 'active', purchaseToken: 'MUG', shard: 1, active: false, refusal: { kind: 'replan' } },
    ]);
    expect(() => planShards(asBundle, 2)).toThrow(/KIT is a bundle/);
  });
});

describe('what a rejected change means', () => {
  const sale = (shard?: number): Write => ({
    kind: 'stock',
    delta: {
      purchaseToken: 'MUG',
      ...(shard ? { shard } : {}),
      onHand: 0,
      reserved: 1,
      sold: 0,
      requireAvailable: 1,
    },
    refusal: { kind: 'sale', soldAs: 'KIT', needed: 1 },
  });
  const skip: Write = { kind: 'counter', key: 'k', delta: -1, refusal: { kind: 'skip' } };
  const refuse: Write = {
    kind: 'counter',
    key: 'k',
    delta: 1,
    refusal: { kind: 'refuse', error: () => new OpenOrderLimitError('MUG') },
  };

  it('a sale’s guard reads what the item held: sold out, off sale, gone — named as the shopper asked', () => {
    const held = (item: Record<string, unknown> | undefined) => () =>
      afterRejection([sale()], { failed: [0], held: [item] });
    expect(held({ active: true, available: 0 })).toThrow(new SoldOutError('KIT'));
    expect(held({ active: false, available: 9 })).toThrow(new ProductNotForSaleError('KIT'));
    expect(held(undefined)).toThrow(new ProductNotForSaleError('KIT'));
    // A shard item that is gone is an empty shard, not the product gone.
    expect(() => afterRejection([sale(3)], { failed: [0], held: [undefined] })).toThrow(
      new SoldOutError('KIT'),
    );
  });

  it('leaves out bookkeeping no longer the change’s, and tries again; never leaves out what may not fail', () => {
    const writes = [sale(), skip];
    expect(afterRejection(writes, { failed: [1], held: [] })).toEqual([sale()]);
    expect(() => afterRejection([sale(), refuse], { failed: [1], held: [] })).toThrow(OpenOrderLimitError);
    expect(() =>
      afterRejection([{ ...skip, refusal: { kind: 'replan' } }], { failed: [0], held: [] }),
    ).toThrow(ReplanNeeded);
  });

  it('sends a restock aimed at a shard a re-spread took away to the product item', () => {
    const restock: Write = {
      kind: 'stock',
      delta: { purchaseToken: 'MUG', shard: 2, onHand: 1, reserved: 0, sold: -1 },
      refusal: { kind: 'sale', soldAs: 'MUG', needed: 0 },
    };
    expect(afterRejection([restock], { failed: [0], held: [undefined] })).toEqual([
      { ...restock, delta: { purchaseToken: 'MUG', onHand: 1, reserved: 0, sold: -1 } },
    ]);
  });
});
