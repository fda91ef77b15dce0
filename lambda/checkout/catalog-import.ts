import { parseDecimal } from './money.js';
import type { Catalog, CatalogAdmin } from './ports.js';
import { type CatalogEntry, checkCatalogEntry } from './product.js';

/** The columns a catalog file may have (README: Catalog files); `available` is onHand's old name. */
export const CATALOG_COLUMNS = [
  'purchaseToken',
  'sku',
  'description',
  'price',
  'unitPriceMinor',
  'currency',
  'taxRatePercent',
  'onHand',
  'available',
  'ean',
] as const;
/** Without these a file is not a catalog at all. */
export const REQUIRED_CATALOG_COLUMNS = ['purchaseToken', 'sku', 'description'] as const;

export interface RowIssue {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

export interface ValidatedCatalog {
  readonly products: CatalogEntry[];
  readonly issues: RowIssue[];
  /** Worth a look, not wrong: e.g. one SKU under two purchase tokens. */
  readonly warnings: RowIssue[];
}

/** How many rows have at least one issue (a row may have several). */
export function rowsWithIssues(issues: readonly RowIssue[]): number {
  return new Set(issues.map((issue) => issue.row)).size;
}

/**
 * Checks every row of a catalog file before anything is written, so a bad row 4,711 does
 * not leave 4,710 products half-imported. Rows are numbered as the merchant sees them
 * (1 = the first product). A row gives its price as `price` ("899.00", as a merchant writes
 * it) or `unitPriceMinor` (89900); numbers may arrive as text (CSV).
 */
export function validateCatalog(
  rows: readonly Record<string, unknown>[],
  defaultCurrency: string,
): ValidatedCatalog {
  const products: CatalogEntry[] = [];
  const issues: RowIssue[] = [];
  const warnings: RowIssue[] = [];
  const seen = new Map<string, number>();
  const skus = new Map<string, { row: number; purchaseToken: string }>();
  rows.forEach((raw, index) => {
    const row = index + 1;
    const rowIssues: RowIssue[] = [];
    let unitPriceMinor: unknown = raw.unitPriceMinor;
    if (raw.price !== undefined && raw.price !== '') {
      try {
        unitPriceMinor = parseDecimal(String(raw.price));
      } catch {
        rowIssues.push({ row, field: 'price', message: 'must be an amount such as 899.00' });
      }
    } else if (unitPriceMinor === undefined || unitPriceMinor === '') {
      rowIssues.push({ row, field: 'price', message: 'is required' });
    }
    const candidate = {
      purchaseToken: text(raw.purchaseToken),
      sku: text(raw.sku),
      description: text(raw.description),
      unitPriceMinor: numeric(unitPriceMinor),
      currency: text(raw.currency) || defaultCurrency,
      taxRatePercent: numeric(raw.taxRatePercent),
      // `onHand`; files from before the stock model call it `available`.
      onHand: numeric(raw.onHand ?? raw.available ?? 0),
      ean: text(raw.ean) || undefined,
    };
    const parsed = checkCatalogEntry(candidate);
    if (!parsed.ok) {
      for (const issue of parsed.issues) {
        // A bad price already has its own message.
        if (!(issue.field === 'unitPriceMinor' && rowIssues.length > 0)) {
          rowIssues.push({
            row,
            field: columnOf(issue.field, raw),
            message: issue.message,
          });
        }
      }
    }
    const earlier = seen.get(candidate.purchaseToken);
    if (earlier !== undefined) {
      rowIssues.push({ row, field: 'purchaseToken', message: `repeats row ${earlier}` });
    } else if (candidate.purchaseToken) {
      seen.set(candidate.purchaseToken, row);
    }
    const sameSku = skus.get(candidate.sku);
    if (sameSku && sameSku.purchaseToken !== candidate.purchaseToken) {
      warnings.push({
        row,
        field: 'sku',
        message: `${candidate.sku} is also row ${sameSku.row}'s (${sameSku.purchaseToken}): two tokens sell the same article`,
      });
    } else if (candidate.sku && !sameSku) {
      skus.set(candidate.sku, { row, purchaseToken: candidate.purchaseToken });
    }
    if (rowIssues.length > 0 || !parsed.ok) issues.push(...rowIssues);
    else products.push(parsed.value);
  });
  return { products, issues, warnings };
}

/** What an import would do to one product; `--dry-run` lists these. */
export interface PlannedImport {
  readonly purchaseToken: string;
  readonly action: 'create' | 'update' | 'unchanged';
  readonly price?: { readonly from: number; readonly to: number } | undefined;
  readonly onHand?: { readonly from: number; readonly to: number } | undefined;
  /** Other details that would change (description, sku, tax rate, currency, EAN). */
  readonly details: readonly string[];
}

/** Compares each valid product with the catalog as it is, writing nothing. */
export async function planImport(
  catalog: Catalog,
  products: readonly CatalogEntry[],
  options: { setStock: boolean; concurrency?: number },
): Promise<PlannedImport[]> {
  return eachAtOnce(products, options.concurrency, async (entry): Promise<PlannedImport> => {
    const current = await catalog.getProduct(entry.purchaseToken);
    if (!current) {
      return {
        purchaseToken: entry.purchaseToken,
        action: 'create',
        price: { from: 0, to: entry.unitPriceMinor },
        onHand: { from: 0, to: entry.onHand },
        details: [],
      };
    }
    const details = (['description', 'sku', 'taxRatePercent', 'currency', 'ean'] as const).filter(
      (field) => (current[field] ?? '') !== (entry[field] ?? ''),
    );
    const price =
      current.unitPriceMinor === entry.unitPriceMinor
        ? undefined
        : { from: current.unitPriceMinor, to: entry.unitPriceMinor };
    const onHand =
      options.setStock && current.onHand !== entry.onHand
        ? { from: current.onHand, to: entry.onHand }
        : undefined;
    return {
      purchaseToken: entry.purchaseToken,
      action: price || onHand || details.length > 0 ? 'update' : 'unchanged',
      price,
      onHand,
      details,
    };
  });
}

export interface ImportResult {
  created: number;
  updated: number;
}

/** Writes validated products, a few at a time, reporting progress after each. */
export async function importCatalog(
  catalog: CatalogAdmin,
  products: readonly CatalogEntry[],
  options: { setStock: boolean; concurrency?: number; onProgress?: (done: number, total: number) => void },
): Promise<ImportResult> {
  const result: ImportResult = { created: 0, updated: 0 };
  let done = 0;
  await eachAtOnce(products, options.concurrency, async (product) => {
    result[await catalog.upsert(product, { setStock: options.setStock })]++;
    options.onProgress?.(++done, products.length);
  });
  return result;
}

/** Runs `work` on every entry, `concurrency` (16) at a time; results in the entries' order. */
async function eachAtOnce<T>(
  entries: readonly CatalogEntry[],
  concurrency: number | undefined,
  work: (entry: CatalogEntry) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const index = next++;
      results[index] = await work(entries[index] as CatalogEntry);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency ?? 16, entries.length) }, worker));
  return results;
}

/** The column a merchant wrote, for a field the rules name otherwise. */
function columnOf(field: string, raw: Record<string, unknown>): string {
  if (field === 'unitPriceMinor') return 'price';
  if (field === 'onHand' && raw.onHand === undefined && raw.available !== undefined) return 'available';
  return field;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).trim();
}

/** "12" → 12 for CSV cells; anything else is left for the schema to refuse. */
function numeric(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return value;
}
