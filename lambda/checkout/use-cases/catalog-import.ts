import {
  type Bundle,
  type BundleEntry,
  type BundlePart,
  type ComponentSource,
  checkBundleEntry,
  composeBundle,
  isBundle,
  productInTheWay,
} from '../model/bundle.js';
import { parseDecimal } from '../model/money.js';
import { type CatalogEntry, checkCatalogEntry, type Product } from '../model/product.js';
import type { Catalog, CatalogAdmin } from './catalog.js';

/** The columns a catalog file may have (docs/operating.md: Catalog files). */
export const CATALOG_COLUMNS = [
  'purchaseToken',
  'sku',
  'description',
  'price',
  'unitPriceMinor',
  'currency',
  'taxRatePercent',
  'onHand',
  'ean',
  'components',
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
  /** Rows that name components: checked here, composed from their products by `composeBundles`. */
  readonly bundles: { readonly row: number; readonly entry: BundleEntry }[];
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
  const bundles: ValidatedCatalog['bundles'] = [];
  const issues: RowIssue[] = [];
  const warnings: RowIssue[] = [];
  const seen = new Map<string, number>();
  const skus = new Map<string, { row: number; purchaseToken: string }>();
  rows.forEach((raw, index) => {
    const row = index + 1;
    const rowIssues: RowIssue[] = [];
    const bundle = raw.components !== undefined && raw.components !== '';
    if (raw.available !== undefined && raw.available !== '') {
      rowIssues.push({
        row,
        field: 'available',
        message: 'is counted by the shop (on hand less what open orders hold): give onHand instead',
      });
    }
    let unitPriceMinor: unknown = raw.unitPriceMinor;
    if (raw.price !== undefined && raw.price !== '') {
      try {
        unitPriceMinor = parseDecimal(String(raw.price));
      } catch {
        rowIssues.push({ row, field: 'price', message: 'must be an amount such as 899.00' });
      }
    } else if ((unitPriceMinor === undefined || unitPriceMinor === '') && !bundle) {
      rowIssues.push({ row, field: 'price', message: 'is required' });
    }
    if (bundle) {
      const entry = checkBundleRow(raw, row, numeric(unitPriceMinor), defaultCurrency, rowIssues);
      const earlier = seen.get(text(raw.purchaseToken));
      if (earlier !== undefined)
        rowIssues.push({ row, field: 'purchaseToken', message: `repeats row ${earlier}` });
      else if (text(raw.purchaseToken)) seen.set(text(raw.purchaseToken), row);
      if (rowIssues.length > 0 || !entry) issues.push(...rowIssues);
      else bundles.push({ row, entry });
      return;
    }
    const candidate = {
      purchaseToken: text(raw.purchaseToken),
      sku: text(raw.sku),
      description: text(raw.description),
      unitPriceMinor: numeric(unitPriceMinor),
      currency: text(raw.currency) || defaultCurrency,
      taxRatePercent: numeric(raw.taxRatePercent),
      onHand: numeric(raw.onHand ?? 0),
      ean: text(raw.ean) || undefined,
    };
    const parsed = checkCatalogEntry(candidate);
    if (!parsed.ok) {
      for (const issue of parsed.issues) {
        // A bad price already has its own message.
        if (!(issue.field === 'unitPriceMinor' && rowIssues.length > 0)) {
          rowIssues.push({
            row,
            field: columnOf(issue.field),
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
        message: `${candidate.sku} is also ${sameSku.purchaseToken}'s: two tokens sell the same article`,
      });
    } else if (candidate.sku && !sameSku) {
      skus.set(candidate.sku, { row, purchaseToken: candidate.purchaseToken });
    }
    if (rowIssues.length > 0 || !parsed.ok) issues.push(...rowIssues);
    else products.push(parsed.value);
  });
  return { products, bundles, issues, warnings };
}

/** Fields a bundle takes from its components, never from its own row. */
const NOT_FOR_BUNDLES = {
  onHand: 'a bundle has no stock of its own: its components’ stock sells it',
  taxRatePercent: 'each component keeps its own tax rate',
  ean: 'each component keeps its own EAN',
} as const;

function checkBundleRow(
  raw: Record<string, unknown>,
  row: number,
  priceMinor: unknown,
  defaultCurrency: string,
  rowIssues: RowIssue[],
): BundleEntry | undefined {
  for (const [field, message] of Object.entries(NOT_FOR_BUNDLES)) {
    if (raw[field] !== undefined && raw[field] !== '') rowIssues.push({ row, field, message });
  }
  const components = typeof raw.components === 'string' ? componentList(raw.components) : raw.components;
  if (components === undefined) {
    rowIssues.push({
      row,
      field: 'components',
      message: 'write each as a purchase token, or token*quantity, separated by spaces: mug*2 beans',
    });
  }
  const checked = checkBundleEntry({
    purchaseToken: text(raw.purchaseToken),
    sku: text(raw.sku),
    description: text(raw.description),
    currency: text(raw.currency) || defaultCurrency,
    components,
    ...(priceMinor === undefined || priceMinor === '' ? {} : { priceMinor }),
  });
  if (!checked.ok) {
    // A field already refused above (a bad price, an unreadable component list) is told once.
    const told = new Set(rowIssues.map((known) => known.field));
    for (const issue of checked.issues) {
      const field = issue.field === 'priceMinor' ? 'price' : issue.field;
      if (!told.has(field)) rowIssues.push({ row, field, message: issue.message });
    }
  }
  return checked.ok && rowIssues.length === 0 ? checked.value : undefined;
}

/** A CSV cell's component list, "mug*2 beans" → mug ×2, beans ×1; undefined when malformed. */
function componentList(cell: string): { purchaseToken: string; quantity: number }[] | undefined {
  const words = cell.trim().split(/\s+/);
  const parsed = words.map((word) => /^([^*]+)(?:\*(\d{1,6}))?$/.exec(word));
  if (parsed.some((match) => !match)) return undefined;
  return parsed.map((match) => ({
    purchaseToken: (match as RegExpExecArray)[1] as string,
    quantity: Number((match as RegExpExecArray)[2] ?? 1),
  }));
}

/**
 * Each valid bundle row made into the bundle it stores: its components' details come from the
 * products in the same file, else from the catalog as it is. Reads the catalog, writes nothing;
 * every problem is listed, as for products, before anything is written.
 */
export async function composeBundles(
  catalog: Catalog,
  validated: Pick<ValidatedCatalog, 'products' | 'bundles'>,
  options: { concurrency?: number; allowDeepDiscount?: boolean } = {},
): Promise<{ bundles: Bundle[]; issues: RowIssue[] }> {
  const inFile = new Map<string, ComponentSource | 'bundle'>([
    ...validated.products.map((entry): [string, ComponentSource] => [entry.purchaseToken, entry]),
    ...validated.bundles.map(({ entry }): [string, 'bundle'] => [entry.purchaseToken, 'bundle']),
  ]);
  const tokens = [
    ...new Set(
      validated.bundles.flatMap(({ entry }) => [
        entry.purchaseToken,
        ...entry.components.map((part) => part.purchaseToken),
      ]),
    ),
  ];
  const stored = new Map<string, Product | undefined>();
  await eachAtOnce(tokens, options.concurrency, async (token) => {
    stored.set(token, await catalog.getProduct(token));
  });
  const issues: RowIssue[] = [];
  const bundles: Bundle[] = [];
  for (const { row, entry } of validated.bundles) {
    const current = stored.get(entry.purchaseToken);
    if (current && !isBundle(current)) {
      issues.push({ row, field: 'purchaseToken', message: productInTheWay(entry.purchaseToken) });
      continue;
    }
    const composed = composeBundle(
      entry,
      (token) => {
        const file = inFile.get(token);
        const now = stored.get(token);
        if (file === 'bundle' || (!file && now && isBundle(now))) return 'bundle';
        // A file row's details, but the stock spread the catalog already has.
        return file ? { ...file, stockShards: now?.stockShards } : now;
      },
      { allowDeepDiscount: options.allowDeepDiscount },
    );
    if (composed.ok) bundles.push(composed.value);
    else issues.push(...composed.issues.map((issue) => ({ row, ...issue })));
  }
  return { bundles, issues };
}

/** What an import would do to one product; `--dry-run` lists these. */
export interface PlannedImport {
  readonly purchaseToken: string;
  readonly action: 'create' | 'update' | 'unchanged';
  readonly price?: { readonly from: number; readonly to: number } | undefined;
  readonly onHand?: { readonly from: number; readonly to: number } | undefined;
  /** Other details that would change (description, sku, tax rate, currency, EAN, components). */
  readonly details: readonly string[];
}

/** Compares each valid product with the catalog as it is, writing nothing. */
export async function planImport(
  catalog: Catalog,
  products: readonly CatalogEntry[],
  options: { setStock: boolean; concurrency?: number; bundles?: readonly Bundle[] },
): Promise<PlannedImport[]> {
  const entries: readonly (CatalogEntry | Bundle)[] = [...products, ...(options.bundles ?? [])];
  return eachAtOnce(entries, options.concurrency, async (entry): Promise<PlannedImport> => {
    const current = await catalog.getProduct(entry.purchaseToken);
    const stock = 'onHand' in entry ? entry.onHand : undefined;
    if (!current) {
      return {
        purchaseToken: entry.purchaseToken,
        action: 'create',
        price: { from: 0, to: entry.unitPriceMinor },
        onHand: stock === undefined ? undefined : { from: 0, to: stock },
        details: [],
      };
    }
    const details: string[] = (['description', 'sku', 'taxRatePercent', 'currency', 'ean'] as const).filter(
      (field) => (current[field] ?? '') !== (entry[field] ?? ''),
    );
    if (!sameParts(current.components, 'components' in entry ? entry.components : undefined)) {
      details.push('components');
    }
    const price =
      current.unitPriceMinor === entry.unitPriceMinor
        ? undefined
        : { from: current.unitPriceMinor, to: entry.unitPriceMinor };
    const onHand =
      options.setStock && stock !== undefined && current.onHand !== stock
        ? { from: current.onHand, to: stock }
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

/** Field by field: a stored map's keys come back in any order. */
function sameParts(a: readonly BundlePart[] | undefined, b: readonly BundlePart[] | undefined): boolean {
  if (!a || !b) return a === b;
  const fields = [
    'purchaseToken',
    'sku',
    'description',
    'unitPriceMinor',
    'taxRatePercent',
    'ean',
    'quantity',
  ] as const;
  return (
    a.length === b.length &&
    a.every((part, index) => fields.every((field) => part[field] === b[index]?.[field]))
  );
}

export interface ImportResult {
  created: number;
  updated: number;
}

/**
 * Writes validated products, a few at a time, reporting progress after each; then the bundles,
 * whose components may be among those products.
 */
export async function importCatalog(
  catalog: CatalogAdmin,
  products: readonly CatalogEntry[],
  options: {
    setStock: boolean;
    concurrency?: number;
    bundles?: readonly Bundle[];
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ImportResult> {
  const result: ImportResult = { created: 0, updated: 0 };
  const bundles = options.bundles ?? [];
  const total = products.length + bundles.length;
  let done = 0;
  await eachAtOnce(products, options.concurrency, async (product) => {
    result[await catalog.upsert(product, { setStock: options.setStock })]++;
    options.onProgress?.(++done, total);
  });
  await eachAtOnce(bundles, options.concurrency, async (bundle) => {
    result[await catalog.upsertBundle(bundle)]++;
    options.onProgress?.(++done, total);
  });
  return result;
}

/** Runs `work` on every entry, `concurrency` (16) at a time; results in the entries' order. */
async function eachAtOnce<E, T>(
  entries: readonly E[],
  concurrency: number | undefined,
  work: (entry: E) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const index = next++;
      results[index] = await work(entries[index] as E);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency ?? 16, entries.length) }, worker));
  return results;
}

/** The column a merchant wrote, for a field the rules name otherwise. */
function columnOf(field: string): string {
  return field === 'unitPriceMinor' ? 'price' : field;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).trim();
}

/** "12" → 12 for CSV cells; anything else is left for the schema to refuse. */
function numeric(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return value;
}
