import fc from 'fast-check';
import { OPEN_STATUSES, type Order } from '../../lambda/checkout/model/order.js';
import { cancelInvoiced, completePayment } from '../../lambda/checkout/use-cases/complete-payment.js';
import { createPurchase } from '../../lambda/checkout/use-cases/create-purchase.js';
import { refund } from '../../lambda/checkout/use-cases/refund.js';
import { wireCreatePurchase } from '../../lambda/wiring/create-purchase.js';
import { glaseSampleBody, startTestStack, type TestStack } from '../support/stack.js';

describe('stock tells the truth under concurrent purchases, payments, declines, refunds and stock counts', () => {
  let stack: TestStack;
  let products = 0;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  type Step =
    | { kind: 'buy' }
    | { kind: 'pay' }
    | { kind: 'decline' }
    | { kind: 'cancel' }
    | { kind: 'refund-restock' }
    | { kind: 'count'; delta: number }
    | { kind: 'reshard'; shards: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ kind: 'buy' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'pay' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'decline' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'refund-restock' as const }) },
    {
      weight: 2,
      arbitrary: fc.integer({ min: -3, max: 3 }).map((delta) => ({ kind: 'count' as const, delta })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 4 }).map((shards) => ({ kind: 'reshard' as const, shards })),
    },
  );

  it('200 random interleavings: no negative or phantom unit; reserved = open orders, sold = paid, onHand = what came in − what left', async () => {
    const purchase = wireCreatePurchase(stack.config, { dynamo: stack.dynamo }).purchase;
    const { catalog, store, settlement } = stack.operator;
    const deps = {
      ...purchase,
      notificationUrlFor: (id: string) => `${stack.apiUrl}/webshop/notify/${id}?sig=x`,
    };

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        fc.constantFrom(1, 1, 3),
        async (start, batches, recount, shards) => {
          const token = `TRUTH-${++products}`;
          await catalog.upsert(
            { ...(await catalog.getProduct('29834231890234'))!, purchaseToken: token, onHand: start },
            { setStock: true },
          );
          // Some products spread their stock over shards from the start; steps may re-spread it.
          if (shards > 1) await catalog.setStockShards(token, shards);
          // What the shelf must hold: what came in (counts, restocks) minus what left (sales).
          let expectedOnHand = start;
          let shoppers = 0;
          // This run's orders, read back one by one (consistent reads, no index).
          const placed: string[] = [];
          const ofToken = async () =>
            (await Promise.all(placed.map((orderId) => store.getOrder(orderId)))).filter(
              (order): order is Order => order !== undefined,
            );
          const pick = async (status: Order['status']) =>
            (await ofToken()).find((order) => order.status === status);

          const run = async (action: Step): Promise<void> => {
            switch (action.kind) {
              case 'buy': {
                const shopper = ++shoppers;
                await createPurchase(deps, {
                  ...glaseSampleBody,
                  purchaseToken: token,
                  email: `s${shopper}@example.com`,
                  msisdn: '',
                }).then(
                  (result) => void placed.push(result.orderId),
                  (error: Error) => {
                    if ((error as { code?: string }).code !== 'SOLD_OUT') throw error;
                  },
                );
                return;
              }
              case 'pay':
              case 'decline': {
                const order = await pick('INVOICED');
                if (!order?.invoiceReference) return;
                try {
                  if (action.kind === 'pay')
                    await stack.sandbox!.pay(order.invoiceReference, { notify: false });
                  else stack.sandbox!.cancel(order.invoiceReference);
                } catch {
                  return; // another step got to this invoice first
                }
                const settled = await completePayment(settlement, order);
                if (settled.outcome === 'paid') expectedOnHand -= 1;
                return;
              }
              case 'cancel': {
                const order = await pick('INVOICED');
                if (!order) return;
                const settled = await cancelInvoiced(settlement, order, 'operator').catch(() => undefined);
                if (settled?.outcome === 'paid') expectedOnHand -= 1;
                return;
              }
              case 'refund-restock': {
                const order = await pick('PAID');
                if (!order) return;
                await refund(stack.operator.refund, { orderId: order.orderId, restock: true }).then(
                  () => {
                    expectedOnHand += 1;
                  },
                  () => undefined, // another step refunded it first
                );
                return;
              }
              case 'reshard':
                // Refused while a shard that would go holds a reservation: units never move.
                await catalog.setStockShards(token, action.shards).catch(() => undefined);
                return;
              case 'count':
                await catalog.adjustStock(token, { delta: action.delta }).then(
                  () => {
                    expectedOnHand += action.delta;
                  },
                  () => undefined, // refused: it would take units orders hold, or go below zero
                );
                return;
            }
          };

          for (const [index, batch] of batches.entries()) {
            await Promise.all(batch.map(run)); // one batch's steps race each other
            if (index === 0 && recount !== undefined) {
              // A stock count between batches: refused if it would overwrite what orders hold.
              await catalog.adjustStock(token, { set: recount }).then(
                () => {
                  expectedOnHand = recount;
                },
                () => undefined,
              );
            }
          }

          const product = (await catalog.getProduct(token))!;
          const all = await ofToken();
          const open = all.filter((order) => OPEN_STATUSES.includes(order.status)).length;
          const sold = all.filter(
            (order) => ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(order.status) && !order.restocked,
          ).length;
          expect(product.reserved).toBe(open);
          expect(product.sold).toBe(sold);
          expect(product.onHand).toBe(expectedOnHand);
          expect(product.available).toBe(product.onHand - product.reserved);
          expect(
            Math.min(product.onHand, product.reserved, product.available, product.sold),
          ).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
