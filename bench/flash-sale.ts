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
  /** 409 UNITS_HELD: unpaid invoices already hold HELD_SHARE_PERCENT of the units on hand. */
  readonly unitsHeld: number;
  /** 503 SERVICE_UNAVAILABLE: no time left to invoice within the function's deadline; Glase asks again. */
  readonly tryAgain: number;
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
        const code = ((await response.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code;
        return { status: response.status, code, ms: performance.now() - begin };
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
    const soldOut = answers.filter((answer) => answer.code === 'SOLD_OUT').length;
    const unitsHeld = answers.filter((answer) => answer.code === 'UNITS_HELD').length;
    const tryAgain = answers.filter((answer) => answer.status === 503).length;
    results.push({
      shards,
      shoppers: SHOPPERS,
      stock: STOCK,
      invoiced,
      soldOut,
      unitsHeld,
      tryAgain,
      other: SHOPPERS - invoiced - soldOut - unitsHeld - tryAgain,
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
      '409 SOLD_OUT',
      '409 UNITS_HELD',
      '503 (asked again)',
      'other',
      'oversold',
      'TransactWriteItems',
      'conflicts (retried)',
      'empty-shard refusals',
      'p50 / p99 ms',
      'burst ms',
      'model: purchases/s the stock items take',
    ],
    results.map((run) => [
      run.shards,
      run.invoiced,
      run.soldOut,
      run.unitsHeld,
      run.tryAgain,
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

const LOADED_SHOPPERS = Number(process.env.LOADED_SHOPPERS ?? 400);
/** A planned drop spreads its stock (docs/hot-products.md); one item makes every buyer conflict. */
const LOADED_SHARDS = Number(process.env.LOADED_SHARDS ?? 4);
const LOADED_STOCK = Number(process.env.LOADED_STOCK ?? 250);
/** Glase answering sendInvoice this slowly: inside the client's 5 s, as a busy Glase would. */
const LOADED_GLASE_MS = 3_000;
/** How long an invoice a buyer was not given may stay payable before it counts as a ghost. */
const WITHDRAWAL_WINDOW_MS = 60_000;
/** How many times a buyer is asked for (the first try and retries of a 503). */
const LOADED_ATTEMPTS = 4;

export interface LoadedFlashSaleResult {
  readonly shoppers: number;
  readonly stock: number;
  readonly hogs: number;
  /** Each buyer's last answer, after retrying 503s. */
  readonly answers: Record<string, number>;
  readonly retries: number;
  readonly invoicesCreated: number;
  /** Invoices given to a buyer: their reference was a 200's answer. */
  readonly invoicesAnswered: number;
  /** Invoices no buyer was given, withdrawn at Glase (at once, or by the reconciler in the window). */
  readonly invoicesWithdrawn: number;
  /** Invoices no buyer was given that are still payable after the window: must be 0. */
  readonly ghosts: number;
  readonly internalErrors: number;
  readonly oversold: number;
  readonly withdrawnWithinMs: number;
}

/**
 * The flash sale on a machine with every core busy (one CPU hog per core) and Glase answering
 * sendInvoice in 3 s: every invoice Glase created must either have reached its buyer as a 200
 * or be withdrawn within a minute; no answer may be a 500. Counted from Glase's side (the
 * sandbox's invoices) against what each buyer was answered.
 */
export async function loadedFlashSale(
  server: BenchServer,
  operator: LocalStack,
  hogs: number,
): Promise<LoadedFlashSaleResult> {
  const token = `LOADED-${Date.now()}`;
  await operator.operator.catalog.upsert(
    {
      purchaseToken: token,
      sku: token,
      description: 'Loaded flash sale jacket',
      unitPriceMinor: 99_900,
      currency: 'SEK',
      taxRatePercent: 25,
      onHand: LOADED_STOCK,
    },
    { setStock: true },
  );
  if (LOADED_SHARDS > 1) await operator.operator.catalog.setStockShards(token, LOADED_SHARDS);
  const sandbox = server.glaseUrl.replace(/\/soap$/, '');
  await fetch(`${sandbox}/sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      operation: 'sendInvoice',
      kind: 'delay',
      delayMs: LOADED_GLASE_MS,
      times: LOADED_SHOPPERS,
    }),
  });
  const name = (index: number) => `Loaded Shopper ${index}`;
  const { spawn } = await import('node:child_process');
  const burners = Array.from({ length: hogs }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  let answers: { name: string; status: number; label: string; reference?: string | undefined }[];
  let retries = 0;
  try {
    answers = await Promise.all(
      Array.from({ length: LOADED_SHOPPERS }, async (_, index) => {
        // As Glase would: a 503 is asked again after its Retry-After, a few times.
        let status = 0;
        let code: string | undefined;
        let reference: string | undefined;
        for (let attempt = 1; attempt <= LOADED_ATTEMPTS; attempt++) {
          const response = await fetch(`${server.apiUrl}/webshop/createPurchase`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: shopperBody(name(index), token),
          });
          const answer = (await response.json().catch(() => ({}))) as {
            invoiceReferenceId?: string;
            error?: { code?: string };
          };
          status = response.status;
          code = answer.error?.code;
          reference = answer.invoiceReferenceId;
          if (status !== 503) break;
          retries += 1;
          await new Promise((resolve) =>
            setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000),
          );
        }
        return {
          name: name(index),
          status,
          label: code ? `${status} ${code}` : String(status),
          reference,
        };
      }),
    );
  } finally {
    for (const burner of burners) burner.kill('SIGKILL');
    await fetch(`${sandbox}/sandbox/faults`, { method: 'DELETE' });
  }
  const answeredOk = new Set(answers.filter((answer) => answer.status === 200).map((answer) => answer.name));
  // Invoice by invoice: a buyer answered 200 may also have an invoice of an earlier attempt that
  // was answered 503, and that one must be withdrawn as well.
  const given = new Set(answers.flatMap((answer) => (answer.status === 200 ? [answer.reference] : [])));
  const started = performance.now();
  // Glase's side against the buyers': an invoice no buyer was given must be withdrawn.
  const tally = async () => {
    const orders = (await operator.operator.store.findOrders({ limit: 10_000 })).filter(
      (order) => order.purchaseToken === token,
    );
    const buyerOf = new Map(orders.map((order) => [order.orderId, order.customer.clientName]));
    const invoices = (await (await fetch(`${sandbox}/sandbox/invoices`)).json()) as {
      invoiceReference: string;
      clientInvoiceId: string;
      status: string;
      createdAt: string;
    }[];
    const ours = invoices.filter((invoice) => buyerOf.has(invoice.clientInvoiceId));
    const unanswered = ours.filter((invoice) => !given.has(invoice.invoiceReference));
    // Why each ghost is one: Glase's status of the invoice and our order's.
    const orderOf = new Map(orders.map((order) => [order.orderId, order]));
    const ghostStates: Record<string, number> = {};
    for (const invoice of unanswered.filter((one) => one.status !== 'CANCELED')) {
      const order = orderOf.get(invoice.clientInvoiceId);
      // Whether Glase's answer existed before we gave up: created before or after the order failed.
      const failedAt = order?.history.find((change) => change.status === 'FAILED')?.at;
      const when =
        failedAt === undefined
          ? ''
          : Date.parse(invoice.createdAt) <= Date.parse(failedAt)
            ? ' (created before the order failed)'
            : ' (created after the order failed)';
      const key = `${invoice.status} / ${order?.status ?? ''} ${(order?.failureReason ?? '').replace(/\d+ ms/, 'N ms')}${when}`;
      ghostStates[key] = (ghostStates[key] ?? 0) + 1;
    }
    return {
      ghostStates,
      created: ours.length,
      answered: ours.length - unanswered.length,
      withdrawn: unanswered.filter((invoice) => invoice.status === 'CANCELED').length,
      ghosts: unanswered.filter((invoice) => invoice.status !== 'CANCELED').length,
      invoicedOrders: orders.filter((order) => order.status === 'INVOICED').length,
    };
  };
  let counted = await tally();
  // The reconciler's runs (every few seconds under `npm start`) get the window to withdraw the rest.
  while (counted.ghosts > 0 && performance.now() - started < WITHDRAWAL_WINDOW_MS) {
    await operator.reconcile();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    counted = await tally();
  }
  if (counted.ghosts > 0)
    say(`\nghosts by Glase's state / our order's: ${JSON.stringify(counted.ghostStates)}`);
  const statuses: Record<string, number> = {};
  for (const answer of answers) statuses[answer.label] = (statuses[answer.label] ?? 0) + 1;
  const result: LoadedFlashSaleResult = {
    shoppers: LOADED_SHOPPERS,
    stock: LOADED_STOCK,
    hogs,
    answers: statuses,
    retries,
    invoicesCreated: counted.created,
    invoicesAnswered: counted.answered,
    invoicesWithdrawn: counted.withdrawn,
    ghosts: counted.ghosts,
    internalErrors: answers.filter((answer) => answer.status === 500).length,
    oversold: Math.max(0, counted.invoicedOrders - LOADED_STOCK, answeredOk.size - LOADED_STOCK),
    withdrawnWithinMs: performance.now() - started,
  };
  say(
    `\n## Flash sale on a loaded machine: ${LOADED_SHOPPERS} shoppers for ${LOADED_STOCK} units in ${LOADED_SHARDS} shards, a CPU hog on each of ${hogs} cores, Glase answering sendInvoice in ${LOADED_GLASE_MS / 1000} s\n`,
  );
  printTable(
    [
      `last answers (503s retried, up to ${LOADED_ATTEMPTS} tries)`,
      'retries',
      'invoices at Glase',
      'reached their buyer (200)',
      'buyer got an error: withdrawn',
      'invoiced but answered an error, after the window',
      '500s',
      'oversold',
    ],
    [
      [
        Object.entries(statuses)
          .map(([status, count]) => `${count}× ${status}`)
          .join(', '),
        result.retries,
        result.invoicesCreated,
        result.invoicesAnswered,
        result.invoicesWithdrawn,
        result.ghosts,
        result.internalErrors,
        result.oversold,
      ],
    ],
  );
  return result;
}
