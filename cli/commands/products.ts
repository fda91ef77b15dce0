import type { Command } from 'commander';
import { RefusedError, UnknownPurchaseTokenError } from '../../lambda/checkout/model/errors.js';
import { formatMinor } from '../../lambda/checkout/model/money.js';
import { MAX_STOCK_SHARDS, type Product } from '../../lambda/checkout/model/product.js';
import type { StockChange } from '../../lambda/checkout/plans/catalog-plan.js';
import {
  composeBundles,
  importCatalog,
  type PlannedImport,
  planImport,
  rowsWithIssues,
  validateCatalog,
} from '../../lambda/checkout/use-cases/catalog-import.js';
import { parseShardCount, parseStockChange } from '../arguments.js';
import { readCatalogFile } from '../catalog-file.js';
import { componentTable, productJson, productTable, stockLine } from '../output.js';
import { note, out, session, show } from '../session.js';

/** `products …`: the catalog behind the purchase tokens. */
export function registerProducts(program: Command): void {
  const products = program.command('products').description('the catalog behind the purchase tokens');
  products
    .command('import')
    .argument('<file>', 'a .json or .csv catalog (docs/operating.md: Catalog files)')
    .option('--dry-run', 'validate and report, write nothing')
    .option('--set-stock', 'also overwrite live stock of existing products with the file’s `onHand`')
    .option('--currency <code>', 'currency for rows that name none')
    .option(
      '--allow-deep-discount',
      'take bundles priced below half of what their components cost (never 0.00)',
    )
    .description('validate every row, then create or update the products')
    .action(
      async (
        file: string,
        flags: { dryRun?: boolean; setStock?: boolean; currency?: string; allowDeepDiscount?: boolean },
        command: Command,
      ) => {
        const { rows, places } = await readCatalogFile(file);
        const at = (row: number) => places[row - 1] ?? `row ${row}`;
        await session(command, async (connection, options) => {
          const validated = validateCatalog(rows, flags.currency ?? connection.wiring.config.defaultCurrency);
          const { products: valid, warnings } = validated;
          // Bundles take their components' details from the file or the catalog: read, never written.
          const composed =
            validated.bundles.length > 0 && validated.issues.length === 0
              ? await composeBundles(connection.wiring.catalog, validated, {
                  allowDeepDiscount: flags.allowDeepDiscount,
                })
              : { bundles: [], issues: [] };
          const { bundles } = composed;
          const issues = [...validated.issues, ...composed.issues];
          if (!options.json) {
            for (const warning of warnings)
              note(`${at(warning.row)}: warning: ${warning.field} ${warning.message}`);
          }
          if (issues.length > 0) {
            if (options.json) {
              const placed = (list: typeof issues) => list.map((issue) => ({ ...issue, at: at(issue.row) }));
              out(
                JSON.stringify(
                  { imported: false, rows: rows.length, issues: placed(issues), warnings: placed(warnings) },
                  null,
                  2,
                ),
              );
            } else for (const issue of issues) note(`${at(issue.row)}: ${issue.field} ${issue.message}`);
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
