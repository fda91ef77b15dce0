/**
 * glase-checkout: the merchant's operator CLI. Exit codes: 0 done, 1 refused (the reason is
 * printed), 2 usage error. No stack traces unless --debug; secrets are never printed.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  CheckoutError,
  OrderNotFoundError,
  RefusedError,
  UnknownPurchaseTokenError,
} from '../lambda/checkout/model/errors.js';
import { formatMinor, parseDecimal } from '../lambda/checkout/model/money.js';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../lambda/checkout/model/order.js';
import { lookupKeysFor, PENDING_REFUND } from '../lambda/checkout/model/order-lookups.js';
import { MAX_STOCK_SHARDS, type Product } from '../lambda/checkout/model/product.js';
import type { StockChange } from '../lambda/checkout/plans/catalog-plan.js';
import type { Store } from '../lambda/checkout/ports.js';
import {
  composeBundles,
  importCatalog,
  type PlannedImport,
  planImport,
  rowsWithIssues,
  validateCatalog,
} from '../lambda/checkout/use-cases/catalog-import.js';
import { cancelInvoiced } from '../lambda/checkout/use-cases/complete-payment.js';
import { refund, resolvePendingRefund } from '../lambda/checkout/use-cases/refund.js';
import { readCatalogFile } from './catalog-file.js';
import type { Connection } from './connect.js';
import { CatalogFileError, ConnectionError } from './errors.js';
import {
  componentTable,
  orderDetails,
  orderJson,
  orderTable,
  pendingRefundTable,
  productJson,
  productTable,
  qrSnippet,
  refundLine,
  stockLine,
} from './output.js';
import { FUNCTION_IDS, type FunctionName, findSourceMap, mapStackTrace } from './stack-trace.js';

interface GlobalOptions {
  stack?: string;
  region?: string;
  json?: boolean;
  debug?: boolean;
}

const DEFAULT_SCRIPT_URL =
  process.env.GLASE_QR_SCRIPT_URL ?? 'https://cdn.glase.example/qrcode/seqr-qrcode.js';

const out = (text: string) => process.stdout.write(`${text}\n`);
/** `--json` prints the data for scripts; otherwise the human form. */
const show = (options: GlobalOptions, data: unknown, human: () => string) =>
  out(options.json ? JSON.stringify(data, null, 2) : human());
const note = (text: string) => process.stderr.write(`${text}\n`);

/** The package's version, read where it sits next to both cli/ and dist/. */
function version(): string {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('glase-checkout')
    .description('Operate a Glase Instant Checkout shop: catalog, orders, refunds, cancels')
    .version(version(), '-V, --version')
    .option('--stack <name>', 'work on a deployed stack (CloudFormation outputs + your AWS credentials)')
    .option('--region <region>', 'AWS region of --stack')
    .option('--json', 'print JSON for scripts instead of tables')
    .option('--debug', 'print stack traces of unexpected errors')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  const session = async <T>(
    command: Command,
    work: (connection: Connection, options: GlobalOptions) => Promise<T>,
  ) => {
    const options = command.optsWithGlobals<GlobalOptions>();
    // Loaded on first use: `--help`, `--version` and usage errors never load the AWS SDK.
    const { connect } = await import('./connect.js');
    const connection = await connect(options);
    try {
      return await work(connection, options);
    } finally {
      connection.wiring.close();
    }
  };

  const products = program.command('products').description('the catalog behind the purchase tokens');
  products
    .command('import')
    .argument('<file>', 'a .json or .csv catalog (README: Catalog files)')
    .option('--dry-run', 'validate and report, write nothing')
    .option('--set-stock', 'also overwrite live stock of existing products with the file’s `available`')
    .option('--currency <code>', 'currency for rows that name none')
    .description('validate every row, then create or update the products')
    .action(
      async (
        file: string,
        flags: { dryRun?: boolean; setStock?: boolean; currency?: string },
        command: Command,
      ) => {
        const rows = await readCatalogFile(file);
        await session(command, async (connection, options) => {
          const validated = validateCatalog(rows, flags.currency ?? connection.wiring.config.defaultCurrency);
          const { products: valid, warnings } = validated;
          // Bundles take their components' details from the file or the catalog: read, never written.
          const composed =
            validated.bundles.length > 0 && validated.issues.length === 0
              ? await composeBundles(connection.wiring.catalog, validated)
              : { bundles: [], issues: [] };
          const { bundles } = composed;
          const issues = [...validated.issues, ...composed.issues];
          if (!options.json) {
            for (const warning of warnings)
              note(`row ${warning.row}: warning: ${warning.field} ${warning.message}`);
          }
          if (issues.length > 0) {
            if (options.json) {
              out(JSON.stringify({ imported: false, rows: rows.length, issues, warnings }, null, 2));
            } else for (const issue of issues) note(`row ${issue.row}: ${issue.field} ${issue.message}`);
            throw new RefusedError(
              `${issues.length} problem(s) in ${rowsWithIssues(issues)} of ${rows.length} rows; nothing was written`,
            );
          }
          if (flags.dryRun) {
            const plan = await planImport(connection.wiring.catalog, valid, {
              setStock: flags.setStock ?? false,
              bundles,
            });
            const count = (action: PlannedImport['action']) =>
              plan.filter((entry) => entry.action === action).length;
            const summary = {
              create: count('create'),
              update: count('update'),
              unchanged: count('unchanged'),
            };
            show(
              options,
              { imported: false, dryRun: true, rows: rows.length, ...summary, plan, warnings },
              () =>
                [
                  ...importPlanLines(plan),
                  `${valid.length + bundles.length} rows valid: ${summary.create} to create, ${summary.update} to update, ` +
                    `${summary.unchanged} unchanged${flags.setStock ? '' : ' (live stock kept)'}; dry run, nothing written`,
                ].join('\n'),
            );
            return;
          }
          const progress = progressBar(valid.length + bundles.length);
          const result = await importCatalog(connection.wiring.catalog, valid, {
            setStock: flags.setStock ?? false,
            bundles,
            onProgress: progress,
          });
          show(
            options,
            { imported: true, rows: rows.length, ...result, ...(warnings.length > 0 ? { warnings } : {}) },
            () =>
              `imported ${valid.length + bundles.length} rows: ${result.created} created, ${result.updated} updated${flags.setStock ? '' : ' (live stock kept)'}`,
          );
        });
      },
    );
  products
    .command('list')
    .description('every product with price and stock')
    .action(async (_flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const all: Product[] = [];
        let page: string | undefined;
        do {
          const result = await wiring.catalog.listProducts(page);
          all.push(...result.products);
          page = result.nextPage;
        } while (page);
        all.sort((a, b) => a.purchaseToken.localeCompare(b.purchaseToken));
        show(options, all.map(productJson), () => productTable(all));
      }),
    );
  products
    .command('get')
    .argument('<purchaseToken>')
    .description('one product')
    .action(async (token: string, _flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const product = await wiring.catalog.getProduct(token);
        if (!product) throw new UnknownPurchaseTokenError(token);
        show(options, productJson(product), () =>
          [productTable([product]), componentTable(product)].filter(Boolean).join('\n\n'),
        );
      }),
    );
  products
    .command('stock')
    .argument('<purchaseToken>')
    .argument(
      '<change>',
      'n sets the units on hand; +n or -n moves them (never below what orders hold)',
      parseStockChange,
    )
    .description('set or adjust the units on hand, atomically; reservations are never overwritten')
    .action(async (token: string, change: StockChange, _flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const product = await wiring.catalog.adjustStock(token, change);
        show(options, productJson(product), () => stockLine(product));
      }),
    );
  products
    .command('shards')
    .argument('<purchaseToken>')
    .argument(
      '<count>',
      `1 to ${MAX_STOCK_SHARDS}; 1 puts the stock back on the product alone`,
      parseShardCount,
    )
    .description(
      'spread a hot product’s stock over several items so more buyers a second can reserve at once ' +
        '(docs/hot-products.md); the units on hand stay the same, and you keep setting one number',
    )
    .action(async (token: string, count: number, _flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const product = await wiring.catalog.setStockShards(token, count);
        show(options, productJson(product), () => stockLine(product));
      }),
    );
  for (const [name, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const) {
    products
      .command(name)
      .argument('<purchaseToken>')
      .description(
        active
          ? 'put a product back on sale'
          : 'take a product off sale: createPurchase answers NOT_FOR_SALE',
      )
      .action(async (token: string, _flags, command: Command) =>
        session(command, async ({ wiring }, options) => {
          const product = await wiring.catalog.setActive(token, active);
          show(
            options,
            productJson(product),
            () => `${token} is ${product.active ? 'on sale' : 'off sale'}; ${stockLine(product)}`,
          );
        }),
      );
  }

  const orders = program.command('orders').description('orders, refunds and cancels');
  orders
    .command('list')
    .addOption(
      new Option('--status <status>', `only this status (${ORDER_STATUSES.join(', ')}; any case)`).argParser(
        parseStatus,
      ),
    )
    .option('--pending-refunds', 'only orders with a refund Glase has not confirmed yet, oldest first')
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
    .argument('<order>', 'our order id, or anything `orders find` takes')
    .description('one order with its history, Glase references and refunds')
    .action(async (term: string, _flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const found = await searchOrders(wiring.store, term, 10);
        const [order] = found;
        if (!order) throw new OrderNotFoundError(term, SEARCHED);
        if (found.length > 1) {
          show(options, found.map(orderJson), () =>
            [`${found.length} orders match ${term}; give one order id:`, orderTable(found)].join('\n'),
          );
          return;
        }
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
        const found = await searchOrders(wiring.store, term, flags.limit);
        show(options, found.map(orderJson), () =>
          found.length > 0 ? orderTable(found) : `no order matches ${term} (searched ${SEARCHED})`,
        );
      }),
    );
  orders
    .command('refund')
    .argument('<orderId>')
    .option('--amount <amount>', 'how much, e.g. 12.50 (default: all that is left)', parseAmount)
    .option('--restock', 'the goods came back: put the unit back in stock')
    .option('--again', 'refund the same amount as a refund made minutes ago (not a double run)')
    .description('refund a PAID order at Glase, wholly or in part')
    .action(
      async (
        orderId: string,
        flags: { amount?: number; restock?: boolean; again?: boolean },
        command: Command,
      ) =>
        session(command, async ({ wiring }, options) => {
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
    .argument('<orderId>')
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
        orderId: string,
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
    .command('cancel')
    .argument('<orderId>')
    .description('withdraw an unpaid (INVOICED) order at Glase and release its unit')
    .action(async (orderId: string, _flags, command: Command) =>
      session(command, async ({ wiring }, options) => {
        const order = await wiring.store.getOrder(orderId);
        if (!order) throw new OrderNotFoundError(orderId);
        if (order.status !== 'INVOICED') {
          throw new RefusedError(
            `order ${orderId} is ${order.status}; only INVOICED (unpaid) orders can be cancelled` +
              (order.status === 'PAID' ? ' — refund it instead' : ''),
          );
        }
        const settlement = await cancelInvoiced(wiring.settlement, order, 'cancelled by operator');
        show(options, { outcome: settlement.outcome, order: orderJson(settlement.order) }, () =>
          settlement.outcome === 'paid'
            ? `order ${orderId} was paid before it could be cancelled: the payment is committed (PAID); refund it if needed`
            : `order ${orderId} is ${settlement.order.status}`,
        );
      }),
    );

  program
    .command('doctor')
    .description(
      'check this shop is ready for Glase: tables, secrets, Glase credentials, the API; print the URL to give Glase',
    )
    .action(async (_flags, command: Command) =>
      session(command, async (connection, options) => {
        const { diagnose } = await import('./doctor.js');
        const diagnosis = await diagnose(connection);
        show(options, diagnosis, () =>
          [
            ...diagnosis.checks.map(
              (check) => `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(11)} ${check.detail}`,
            ),
            ...(diagnosis.createPurchaseUrl
              ? [
                  '',
                  'give Glase this createPurchase URL (it is a secret: share it only with Glase):',
                  `  ${diagnosis.createPurchaseUrl}`,
                ]
              : []),
          ].join('\n'),
        );
        if (!diagnosis.ok)
          throw new RefusedError(`${diagnosis.checks.filter((check) => !check.ok).length} check(s) failed`);
      }),
    );

  program
    .command('stack-trace')
    .argument('[file]', 'a logged stack trace or log line (default: standard input)')
    .addOption(
      new Option('--function <name>', 'the function that logged it')
        .choices(Object.keys(FUNCTION_IDS))
        .default('createPurchase'),
    )
    .option('--cdk-out <dir>', 'the cloud assembly the deployed code came from', 'cdk.out')
    .option('--map <file>', "the bundle's source map, instead of finding it in --cdk-out")
    .description('turn a logged stack trace back into source files and lines (no AWS access)')
    .action(
      async (
        file: string | undefined,
        flags: { function: string; cdkOut: string; map?: string },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        const map = flags.map ?? findSourceMap(flags.cdkOut, options.stack, flags.function as FunctionName);
        const trace = readFileSync(file ?? 0, 'utf8');
        const result = mapStackTrace(trace, map);
        show(options, { map, ...result }, () => result.text.replace(/\n$/, ''));
        if (result.found > 0 && result.mapped === 0)
          note(`note: no position matched ${map}: is it this function's, from the deployed commit?`);
      },
    );

  program
    .command('snippet')
    .argument('<purchaseToken>')
    .option(
      '--script-url <url>',
      'where the Glase QR script is served (GLASE_QR_SCRIPT_URL)',
      DEFAULT_SCRIPT_URL,
    )
    .option('--selector <css>', 'the element the QR code is drawn in', '#qrcode')
    .description('print the product-page HTML for the Glase QR widget')
    .action(async (token: string, flags: { scriptUrl: string; selector: string }, command: Command) =>
      session(command, async ({ wiring }, options) => {
        if (!(await wiring.catalog.getProduct(token))) throw new UnknownPurchaseTokenError(token);
        const placeholder = flags.scriptUrl === DEFAULT_SCRIPT_URL && !process.env.GLASE_QR_SCRIPT_URL;
        if (placeholder) {
          note('note: using a placeholder script URL; pass --script-url with the address Glase gave you');
        }
        const widget = {
          scriptUrl: flags.scriptUrl,
          selector: flags.selector,
          purchaseToken: token,
          webshopId: wiring.config.glase.webshopId ?? '',
        };
        show(options, { ...widget, placeholderScriptUrl: placeholder, html: qrSnippet(widget) }, () =>
          qrSnippet(widget),
        );
      }),
    );
  return program;
}

/** `--dry-run`'s listing: one line per product that would change. */
function importPlanLines(plan: readonly PlannedImport[]): string[] {
  const money = formatMinor;
  return plan
    .filter((entry) => entry.action !== 'unchanged')
    .map((entry) => {
      if (entry.action === 'create') {
        return `create  ${entry.purchaseToken}  ${money(entry.price?.to ?? 0)}, ${entry.onHand?.to ?? 0} on hand`;
      }
      const changes = [
        ...(entry.price ? [`price ${money(entry.price.from)} → ${money(entry.price.to)}`] : []),
        ...(entry.onHand ? [`on hand ${entry.onHand.from} → ${entry.onHand.to}`] : []),
        ...entry.details,
      ];
      return `update  ${entry.purchaseToken}  ${changes.join('; ')}`;
    });
}

/** Our order id first; otherwise what a support call quotes, through the lookup index. */
async function searchOrders(orders: Store, term: string, limit: number): Promise<Order[]> {
  const byId = await orders.getOrder(term.trim());
  return byId ? [byId] : orders.findByLookup(lookupKeysFor(term), { limit });
}

/** What `orders get` and `orders find` search besides our order id. */
const SEARCHED = 'order id, Glase invoice/payment/ers reference, e-mail, phone';

function parseStatus(value: string): OrderStatus {
  const status = value.trim().toUpperCase();
  if (!(ORDER_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidArgumentError(`use one of ${ORDER_STATUSES.join(', ')}`);
  }
  return status as OrderStatus;
}

function parseStockChange(value: string): StockChange {
  const match = /^([+-]?)(\d{1,9})$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('use n, +n or -n (whole numbers)');
  const amount = Number(match[2]);
  if (match[1] === '+') return { delta: amount };
  if (match[1] === '-') return { delta: -amount };
  return { set: amount };
}

function parseShardCount(value: string): number {
  const count = Number(value.trim());
  if (!/^\d{1,2}$/.test(value.trim()) || count < 1 || count > MAX_STOCK_SHARDS) {
    throw new InvalidArgumentError(`use a whole number from 1 to ${MAX_STOCK_SHARDS}`);
  }
  return count;
}

function parseAmount(value: string): number {
  try {
    const minor = parseDecimal(value);
    if (minor <= 0) throw new RangeError('zero');
    return minor;
  } catch {
    throw new InvalidArgumentError('use a positive amount such as 12.50');
  }
}

function parsePositive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 10_000)
    throw new InvalidArgumentError('use 1-10000');
  return parsed;
}

function parseSince(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new InvalidArgumentError('use an ISO date such as 2026-11-27 or 2026-11-27T10:00:00Z');
  return new Date(time).toISOString();
}

function progressBar(total: number): ((done: number, total: number) => void) | undefined {
  if (total < 200) return undefined;
  let last = -1;
  return (done) => {
    const percent = Math.floor((done / total) * 100);
    if (percent === last && done !== total) return;
    last = percent;
    const filled = Math.round(percent / 4);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(25 - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
    );
  };
}

/**
 * Runs one command; the exit code says how it went. With `--json`, a failure is one JSON object
 * on stderr, `{"error": {"code", "message"}}`, with a stable code: the domain's own
 * (SOLD_OUT, ORDER_NOT_FOUND, REFUSED, GLASE_UNAVAILABLE…), USAGE, NOT_CONNECTED or INTERNAL.
 */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  const fail = (exitCode: number, code: string, prefix: string, message: string) => {
    note(json ? JSON.stringify({ error: { code, message } }) : `${prefix}: ${message}`);
    return exitCode;
  };
  if (json) {
    // Commander's own usage messages go through `fail` too, as JSON; every subcommand keeps the
    // output settings it was created with, so each is told.
    const quiet = (command: Command): void => {
      command.configureOutput({ writeErr: () => undefined });
      command.commands.forEach(quiet);
    };
    quiet(program);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return 0;
      }
      if (error.code === 'usage' || json) {
        return fail(2, 'USAGE', 'error', error.message.replace(/^error: /, ''));
      }
      return 2;
    }
    if (error instanceof CatalogFileError) return fail(1, error.code, 'error', error.message);
    if (error instanceof CheckoutError) return fail(1, error.code, 'refused', error.message);
    if (error instanceof ConnectionError) return fail(1, 'NOT_CONNECTED', 'refused', error.message);
    const code = fail(1, 'INTERNAL', 'error', (error as Error).message ?? String(error));
    if (debug) note((error as Error).stack ?? '');
    return code;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await run(process.argv.slice(2));
}
