import { writeFileSync } from 'node:fs';
import { type Command, CommanderError, Option } from 'commander';
import iconv from 'iconv-lite';
import { formatMinor } from '../../lambda/checkout/model/money.js';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../../lambda/checkout/model/order.js';
import { PENDING_REFUND } from '../../lambda/checkout/model/order-lookups.js';
import type { Store } from '../../lambda/checkout/ports.js';
import { cancelByOperator } from '../../lambda/checkout/use-cases/complete-payment.js';
import { findOrders, oneOrder, SEARCHED } from '../../lambda/checkout/use-cases/find-orders.js';
import { refund, resolvePendingRefund } from '../../lambda/checkout/use-cases/refund.js';
import { type ReindexCursor, reindexOrders } from '../../lambda/checkout/use-cases/reindex.js';
import { bookEntries, booksCsv, sie4 } from '../../lambda/checkout/views/books.js';
import {
  cursorText,
  nextDay,
  parseAmount,
  parseCursor,
  parseDay,
  parsePositive,
  parseSince,
  parseStatus,
  stockholmMidnight,
} from '../arguments.js';
import { orderDetails, orderJson, orderTable, pendingRefundTable, refundLine } from '../output.js';
import { session, show } from '../session.js';
import { PROGRAM_VERSION } from '../version.js';

/** What every order command takes to name its order. */
const ORDER_ARGUMENT = `our order id, or anything \`orders find\` takes (${SEARCHED}); refused when it matches several`;

/**
 * `orders …`: orders, refunds and cancels. `--json`: `orders get` prints one order object,
 * `orders list` and `orders find` an array, every time (docs/operating.md: --json output).
 */
export function registerOrders(program: Command): void {
  const orders = program.command('orders').description('orders, refunds and cancels');
  orders
    .command('list')
    .addOption(
      new Option('--status <status>', `only this status (${ORDER_STATUSES.join(', ')}; any case)`).argParser(
        parseStatus,
      ),
    )
    .option(
      '--pending-refunds',
      'only orders with a refund Glase has not confirmed yet, oldest first (with --status: of that status)',
    )
    .option('--since <time>', 'only orders created at or after this ISO date/time', parseSince)
    .option('--limit <n>', 'at most this many (newest first)', parsePositive, 50)
    .description('orders, newest first (through the indexes, never a table scan)')
    .action(
      async (
        flags: { status?: OrderStatus; pendingRefunds?: boolean; since?: string; limit: number },
        command: Command,
      ) =>
        session(command, async ({ wiring }, options) => {
          const found = flags.pendingRefunds
            ? (await wiring.store.findByLookup([PENDING_REFUND], { limit: flags.limit }))
                .filter(
                  (order) =>
                    (!flags.status || order.status === flags.status) &&
                    (!flags.since || order.createdAt >= flags.since),
                )
                .reverse()
            : await wiring.store.findOrders(flags);
          show(options, found.map(orderJson), () =>
            flags.pendingRefunds ? pendingRefundTable(found) : orderTable(found),
          );
        }),
    );
  orders
    .command('get')
    .argument('<order>', ORDER_ARGUMENT)
    .description('one order with its history, Glase references and refunds')
    .action(async (term: string, _flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const order = await oneOrder(wiring.store, term);
        show(options, orderJson(order), () => orderDetails(order));
      }),
    );
  orders
    .command('find')
    .argument(
      '<term>',
      'an invoice, payment or ers reference from Glase, an e-mail address or a phone number',
    )
    .option('--limit <n>', 'at most this many (newest first)', parsePositive, 50)
    .description(`find orders by what a support call quotes (${SEARCHED}), through an index`)
    .action(async (term: string, flags: { limit: number }, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const found = await findOrders(wiring.store, term, flags.limit);
        show(options, found.map(orderJson), () =>
          found.length > 0 ? orderTable(found) : `no order matches ${term} (searched ${SEARCHED})`,
        );
      }),
    );
  orders
    .command('refund')
    .argument('<order>', ORDER_ARGUMENT)
    .option('--amount <amount>', 'how much, e.g. 12.50 (default: all that is left)', parseAmount)
    .option('--restock', 'the goods came back: put the unit back in stock')
    .option('--again', 'refund the same amount as a refund made minutes ago (not a double run)')
    .description('refund a PAID order at Glase, wholly or in part')
    .action(
      async (
        term: string,
        flags: { amount?: number; restock?: boolean; again?: boolean },
        command: Command,
      ) =>
        session(command, async ({ wiring }, options) => {
          const { orderId } = await oneOrder(wiring.store, term);
          const order = await refund(wiring.refund, {
            orderId,
            amountMinor: flags.amount,
            restock: flags.restock ?? false,
            again: flags.again ?? false,
          });
          const latest = order.refunds?.at(-1);
          show(
            options,
            orderJson(order),
            () =>
              `refunded ${formatMinor(latest?.amountMinor ?? 0)} ${order.currency} (Glase ${latest?.ersReference}); order ${order.orderId} is ${order.status}`,
          );
        }),
    );
  orders
    .command('settle-refund')
    .argument('<order>', ORDER_ARGUMENT)
    .option(
      '--succeeded <ersReference>',
      'Glase confirms the pending refund went through, with this reference',
    )
    .option('--failed <reason>', 'Glase confirms the pending refund did not happen')
    .option(
      '--amount <amount>',
      'with --succeeded: what Glase refunded, if less than was asked (at most what is pending)',
      parseAmount,
    )
    .description('settle a refund left pending by a timeout, after checking with Glase')
    .action(
      async (
        term: string,
        flags: { succeeded?: string; failed?: string; amount?: number },
        command: Command,
      ) => {
        if (Boolean(flags.succeeded) === Boolean(flags.failed) || (flags.amount && !flags.succeeded)) {
          throw new CommanderError(
            2,
            'usage',
            'give exactly one of --succeeded <ersReference> [--amount <amount>] or --failed <reason>',
          );
        }
        await session(command, async ({ wiring }, options) => {
          const { orderId } = await oneOrder(wiring.store, term);
          const { order, refund: settled } = await resolvePendingRefund(
            wiring.refund,
            orderId,
            flags.succeeded
              ? { succeeded: true, ersReference: flags.succeeded, amountMinor: flags.amount }
              : { succeeded: false, reason: flags.failed ?? '' },
          );
          show(options, orderJson(order), () =>
            [
              `recorded: refund ${settled.refundId} of ${formatMinor(settled.amountMinor)} ${order.currency} ` +
                (settled.status === 'SUCCEEDED'
                  ? `SUCCEEDED (Glase ${settled.ersReference})`
                  : `FAILED (${settled.failure})`),
              `order ${order.orderId} is ${order.status}; refunded ${refundLine(order)}`,
            ].join('\n'),
          );
        });
      },
    );
  orders
    .command('export')
    .requiredOption('--from <day>', 'the first day, in Stockholm (2026-11-01)', parseDay)
    .requiredOption('--to <day>', 'the last day, in Stockholm, included (2026-11-30)', parseDay)
    .addOption(
      new Option('--format <format>', 'csv, or SIE 4 for Swedish accounting')
        .choices(['csv', 'sie'])
        .default('csv'),
    )
    .option('--out <file>', 'write here instead of to stdout (a .se file is what accounting programs import)')
    .description(
      'the books of a period: every sale paid and every refund confirmed, with net, VAT per rate and gross (CSV), or as SIE 4 vouchers that balance',
    )
    .action(
      async (flags: { from: string; to: string; format: 'csv' | 'sie'; out?: string }, command: Command) =>
        session(command, async ({ wiring }) => {
          const period = { from: stockholmMidnight(flags.from), to: stockholmMidnight(nextDay(flags.to)) };
          if (period.to <= period.from) throw new CommanderError(2, 'usage', '--to is before --from');
          const orders = await settledOrders(wiring.store, period.to);
          const entries = bookEntries(orders, period);
          const { config } = wiring;
          const content =
            flags.format === 'csv'
              ? Buffer.from(booksCsv(entries), 'utf8')
              : // SIE's #FORMAT PC8: IBM code page 437, as Swedish accounting programs read it.
                iconv.encode(
                  sie4(entries, {
                    orgNumber: config.seller.orgNumber,
                    name: config.seller.name,
                    accounts: config.accounts,
                    generatedAt: wiring.settlement.clock.now(),
                    program: { name: 'glase-checkout', version: PROGRAM_VERSION },
                  }),
                  'cp437',
                );
          if (flags.out) {
            writeFileSync(flags.out, content);
            process.stderr.write(
              `${entries.length} vouchers (${entries.filter((entry) => entry.kind === 'sale').length} sales, ${entries.filter((entry) => entry.kind === 'refund').length} refunds) written to ${flags.out}\n`,
            );
          } else process.stdout.write(content);
        }),
    );
  orders
    .command('reindex')
    .option(
      '--from <cursor>',
      'resume where a stopped run said (STATUS, or STATUS:page), instead of from the start',
      parseCursor,
    )
    .description(
      'write the lookup entries of every order (for orders stored before the lookup index): idempotent, resumable, with progress',
    )
    .action(async (flags: { from?: ReindexCursor }, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const done = await reindexOrders(wiring.store, {
          now: wiring.settlement.clock.now(),
          from: flags.from,
          onPage: (progress) => {
            // Progress on stderr, so --json output stays one document.
            const resume = progress.next ? `; to resume: --from ${cursorText(progress.next)}` : '';
            process.stderr.write(
              `${progress.status}: ${progress.orders} order(s), ${progress.entries} lookup entries written${resume}\n`,
            );
          },
        });
        show(
          options,
          { orders: done.orders, entries: done.entries },
          () =>
            `reindexed ${done.orders} order(s): ${done.entries} lookup entries written (rewriting one that stood changes nothing)`,
        );
      }),
    );
  orders
    .command('cancel')
    .argument('<order>', ORDER_ARGUMENT)
    .description('withdraw an unpaid (INVOICED) order at Glase and release its unit')
    .action(async (term: string, _flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const settlement = await cancelByOperator(wiring.settlement, await oneOrder(wiring.store, term));
        const { orderId, status } = settlement.order;
        show(options, { outcome: settlement.outcome, order: orderJson(settlement.order) }, () =>
          settlement.outcome === 'paid'
            ? `order ${orderId} was paid before it could be cancelled: the payment is committed (PAID); refund it if needed`
            : `order ${orderId} is ${status}`,
        );
      }),
    );
}

/** Every order that may hold a sale or a refund, created before `before`: through the status index. */
async function settledOrders(store: Store, before: Date): Promise<Order[]> {
  const found: Order[] = [];
  for (const status of ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const) {
    let page: string | undefined;
    do {
      const result = await store.listByStatus(status, before.toISOString(), page);
      found.push(...result.orders);
      page = result.nextPage;
    } while (page);
  }
  return found;
}
