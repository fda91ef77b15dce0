import type { LocalStack } from '../local/stack.js';
import { type BenchServer, fixed, percentile, printTable, say, shopperBody } from './report.js';

const SHOPPERS = Number(process.env.FLASH_SHOPPERS ?? 500);
const STOCK = Number(process.env.FLASH_STOCK ?? 250);
export const SHARD_COUNTS = [1, 4, 16] as const;

/**
 * The hot-product model (docs/hot-products.md): DynamoDB takes at most 1,000 write units a
 * second on one partition; a transactional write of an item up to 1 KB costs 2 units; a purchase
 * writes its stock item twice (reserve, then sell or release), both in transactions. So one
 * stock item sustains at most 1,000 / (2 × 2) = 250 purchases a second, and N shards N times
 * that once DynamoDB has split them onto partitions of their own.
 */
export const modelPurchasesPerSecond = (shards: number) => (1_000 / (2 * 2)) * shards;

export interface FlashSaleResult {
  readonly shards: number;
  readonly shoppers: number;
  readonly stock: number;
  readonly invoiced: number;
  readonly soldOut: number;
  readonly other: number;
  readonly ordersInvoiced: number;
  readonly finalAvailable: number | undefined;
  readonly oversold: number;
  readonly transactWrites: number;
  readonly conflicts: number;
  readonly emptyShardRefusals: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly burstMs: number;
  readonly modelPurchasesPerSecond: number;
}

/**
 * SHOPPERS buyers at once for STOCK units of one product, its stock in 1, 4 and 16 shards. Counts
 * what each shopper was answered, what DynamoDB refused (the server's SDK middleware counted it:
 * transaction conflicts, each retried, and empty shards, each moving on to the next), and
 * whether a single unit was sold twice.
 */
export async function flashSale(server: BenchServer, operator: LocalStack): Promise<FlashSaleResult[]> {
  const results: FlashSaleResult[] = [];
  for (const shards of SHARD_COUNTS) {
    const token = `FLASH-${shards}-${Date.now()}`;
    await operator.operator.catalog.upsert(
      {
        purchaseToken: token,
        sku: token,
        description: 'Flash sale jacket',
        unitPriceMinor: 99_900,
        currency: 'SEK',
        taxRatePercent: 25,
        onHand: STOCK,
      },
      { setStock: true },
    );
    if (shards > 1) await operator.operator.catalog.setStockShards(token, shards);
    await server.counters();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: SHOPPERS }, async (_, index) => {
        const begin = performance.now();
        const response = await fetch(`${server.apiUrl}/webshop/createPurchase`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: shopperBody(`Flash Shopper ${shards} ${index}`, token),
        });
        await response.arrayBuffer();
        return { status: response.status, ms: performance.now() - begin };
      }),
    );
    const burstMs = performance.now() - started;
    const counted = await server.counters();
    const refusals = Object.entries(counted.refusals);
    const countOf = (pattern: RegExp) =>
      refusals.filter(([key]) => pattern.test(key)).reduce((sum, [, count]) => sum + count, 0);
    const product = await operator.operator.catalog.getProduct(token);
    const orders = await operator.operator.store.findOrders({ status: 'INVOICED', limit: 10_000 });
    const ordersInvoiced = orders.filter((order) => order.purchaseToken === token).length;
    const invoiced = answers.filter((answer) => answer.status === 200).length;
    const soldOut = answers.filter((answer) => answer.status === 409).length;
    results.push({
      shards,
      shoppers: SHOPPERS,
      stock: STOCK,
      invoiced,
      soldOut,
      other: SHOPPERS - invoiced - soldOut,
      ordersInvoiced,
      finalAvailable: product?.available,
      oversold: Math.max(0, ordersInvoiced - STOCK, invoiced - STOCK),
      transactWrites: counted.requests.TransactWriteItemsCommand ?? 0,
      conflicts: countOf(/TransactionConflict/),
      emptyShardRefusals: countOf(
        /TransactWriteItemsCommand TransactionCanceledException\[.*ConditionalCheckFailed/,
      ),
      p50Ms: percentile(
        answers.map((answer) => answer.ms),
        50,
      ),
      p99Ms: percentile(
        answers.map((answer) => answer.ms),
        99,
      ),
      burstMs,
      modelPurchasesPerSecond: modelPurchasesPerSecond(shards),
    });
  }
  say(
    `\n## Flash sale: ${SHOPPERS} shoppers at once for ${STOCK} units of one product, its stock in 1, 4 and 16 shards\n`,
  );
  say(
    'DynamoDB Local runs on one machine and does not reproduce real DynamoDB’s per-partition limits: the conflicts\n' +
      'and empty-shard refusals are real, the throughput is this machine’s; the model column is DynamoDB’s.\n',
  );
  printTable(
    [
      'shards',
      '200 invoiced',
      '409 sold out',
      'other',
      'oversold',
      'TransactWriteItems',
      'conflicts (retried)',
      'empty-shard refusals',
      'p50 / p99 ms',
      'burst ms',
      'model: purchases/s',
    ],
    results.map((run) => [
      run.shards,
      run.invoiced,
      run.soldOut,
      run.other,
      run.oversold,
      run.transactWrites,
      run.conflicts,
      run.emptyShardRefusals,
      `${fixed(run.p50Ms, 0)} / ${fixed(run.p99Ms, 0)}`,
      fixed(run.burstMs, 0),
      run.modelPurchasesPerSecond,
    ]),
  );
  return results;
}
