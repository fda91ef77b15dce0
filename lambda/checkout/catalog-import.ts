import { parseDecimal } from './money.js';
import type { CatalogAdmin } from './ports.js';
import { type CatalogEntry, checkCatalogEntry } from './product.js';

export interface RowIssue {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

export interface ValidatedCatalog {
  readonly products: CatalogEntry[];
  readonly issues: RowIssue[];
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
  const seen = new Map<string, number>();
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
    if (rowIssues.length > 0 || !parsed.ok) issues.push(...rowIssues);
    else products.push(parsed.value);
  });
  return { products, issues };
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
  const concurrency = options.concurrency ?? 16;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < products.length) {
      const product = products[next++] as CatalogEntry;
      result[await catalog.upsert(product, { setStock: options.setStock })]++;
      options.onProgress?.(++done, products.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, products.length) }, worker));
  return result;
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
