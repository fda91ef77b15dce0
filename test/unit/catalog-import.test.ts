import { parseCsv } from '../../cli/catalog-file.js';
import {
  importCatalog,
  planImport,
  rowsWithIssues,
  validateCatalog,
} from '../../lambda/checkout/catalog-import.js';
import { toProduct } from '../../lambda/store/dynamo-catalog.js';
import { InMemoryCatalog } from '../support/in-memory.js';

describe('catalog files', () => {
  it('parses RFC 4180 CSV: quotes, escaped quotes, commas, CRLF, blank lines', () => {
    expect(parseCsv('a,b,c\r\n"x, y","say ""hi""",3\r\n\r\nplain,,last\n')).toEqual([
      { a: 'x, y', b: 'say "hi"', c: '3' },
      { a: 'plain', b: '', c: 'last' },
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('turns merchant prices into minor units without floating point', () => {
    const { products, issues } = validateCatalog(
      [
        {
          purchaseToken: 'A',
          sku: 'a',
          description: 'A',
          price: '0.29',
          taxRatePercent: '25',
          available: '3',
        },
      ],
      'SEK',
    );
    expect(issues).toEqual([]);
    expect(products).toEqual([
      {
        purchaseToken: 'A',
        sku: 'a',
        description: 'A',
        unitPriceMinor: 29,
        currency: 'SEK',
        taxRatePercent: 25,
        onHand: 3,
      },
    ]);
  });

  it('reports every problem of every row, numbered from 1', () => {
    const { products, issues } = validateCatalog(
      [
        { purchaseToken: 'OK', sku: 'ok', description: 'fine', price: '1.00', taxRatePercent: 25 },
        { purchaseToken: 'OK', sku: 'dup', description: 'again', price: '1.00', taxRatePercent: 25 },
        {
          purchaseToken: 'no spaces',
          sku: '',
          description: 'x',
          price: 'free',
          taxRatePercent: 25,
          available: -1,
        },
        { purchaseToken: 'C', sku: 'c', description: 'c', taxRatePercent: 25, currency: 'kr' },
      ],
      'SEK',
    );
    expect(products.map((product) => product.purchaseToken)).toEqual(['OK']);
    expect(issues).toEqual([
      { row: 2, field: 'purchaseToken', message: 'repeats row 1' },
      { row: 3, field: 'price', message: 'must be an amount such as 899.00' },
      { row: 3, field: 'purchaseToken', message: 'must be 1-64 letters, digits, ".", "_" or "-"' },
      { row: 3, field: 'sku', message: 'is required' },
      { row: 3, field: 'available', message: 'must be at least 0' },
      { row: 4, field: 'price', message: 'is required' },
      { row: 4, field: 'currency', message: 'must be an ISO 4217 code such as SEK' },
    ]);
  });
});

describe('catalog import: warnings, counts and the dry-run plan', () => {
  const row = (purchaseToken: string, sku: string, extra: Record<string, unknown> = {}) => ({
    purchaseToken,
    sku,
    description: `${purchaseToken} desc`,
    price: '10.00',
    taxRatePercent: 25,
    available: 2,
    ...extra,
  });

  it('takes unitPriceMinor when there is no price; a price given both ways is read from `price`', () => {
    const { products, issues } = validateCatalog(
      [
        row('A', 'a', { price: undefined, unitPriceMinor: 1250 }),
        row('B', 'b', { price: '', unitPriceMinor: '990' }),
        row('C', 'c', { price: '1.00', unitPriceMinor: 5 }),
        row('D', 'd', { price: '', unitPriceMinor: '' }),
      ],
      'SEK',
    );
    expect(products.map((product) => [product.purchaseToken, product.unitPriceMinor])).toEqual([
      ['A', 1250],
      ['B', 990],
      ['C', 100],
    ]);
    expect(issues).toEqual([{ row: 4, field: 'price', message: 'is required' }]);
  });

  it('a bad price is one problem, not two', () => {
    expect(validateCatalog([row('A', 'a', { price: '1,00' })], 'SEK').issues).toEqual([
      { row: 1, field: 'price', message: 'must be an amount such as 899.00' },
    ]);
    expect(validateCatalog([row('A', 'a', { price: undefined, unitPriceMinor: 1.5 })], 'SEK').issues).toEqual(
      [{ row: 1, field: 'price', message: 'must be a whole number' }],
    );
  });

  it('warns, once per repeat, when one SKU is sold under two tokens; the same token twice is an error instead', () => {
    const { products, issues, warnings } = validateCatalog(
      [row('A', 'same'), row('B', 'same'), row('C', 'other'), row('D', 'same'), row('', 'lonely')],
      'SEK',
    );
    expect(products.map((product) => product.purchaseToken)).toEqual(['A', 'B', 'C', 'D']);
    expect(warnings).toEqual([
      { row: 2, field: 'sku', message: "same is also row 1's (A): two tokens sell the same article" },
      { row: 4, field: 'sku', message: "same is also row 1's (A): two tokens sell the same article" },
    ]);
    expect(issues.map((issue) => [issue.row, issue.field])).toEqual([[5, 'purchaseToken']]);
    const repeated = validateCatalog([row('A', 'same'), row('A', 'same')], 'SEK');
    expect(repeated.warnings).toEqual([]);
    expect(repeated.issues).toEqual([{ row: 2, field: 'purchaseToken', message: 'repeats row 1' }]);
    // A row without a token never counts as an earlier row.
    expect(validateCatalog([row('', 'x'), row('', 'y')], 'SEK').issues.map((issue) => issue.message)).toEqual(
      ['must be 1-64 letters, digits, ".", "_" or "-"', 'must be 1-64 letters, digits, ".", "_" or "-"'],
    );
  });

  it('counts the rows with problems, not the problems', () => {
    expect(rowsWithIssues([])).toBe(0);
    expect(
      rowsWithIssues([
        { row: 3, field: 'a', message: 'x' },
        { row: 3, field: 'b', message: 'y' },
        { row: 7, field: 'a', message: 'x' },
      ]),
    ).toBe(2);
  });

  it('plans what an import would do, writing nothing: creates, price, stock and detail changes, unchanged', async () => {
    const catalog = new InMemoryCatalog();
    const { products } = validateCatalog(
      [row('KEEP', 'k'), row('PRICE', 'p'), row('DETAIL', 'd'), row('STOCK', 's')],
      'SEK',
    );
    await importCatalog(catalog, products, { setStock: false });
    const next = validateCatalog(
      [
        row('KEEP', 'k'),
        row('PRICE', 'p', { price: '12.50' }),
        row('DETAIL', 'd2', { description: 'new words', taxRatePercent: 12, ean: '12345678' }),
        row('STOCK', 's', { available: 9 }),
        row('NEW', 'n', { available: 4, price: '3.00' }),
      ],
      'SEK',
    ).products;
    const before = await catalog.listProducts();
    const kept = await planImport(catalog, next, { setStock: false, concurrency: 2 });
    expect(kept).toEqual([
      { purchaseToken: 'KEEP', action: 'unchanged', details: [] },
      { purchaseToken: 'PRICE', action: 'update', price: { from: 1000, to: 1250 }, details: [] },
      { purchaseToken: 'DETAIL', action: 'update', details: ['description', 'sku', 'taxRatePercent', 'ean'] },
      { purchaseToken: 'STOCK', action: 'unchanged', details: [] },
      {
        purchaseToken: 'NEW',
        action: 'create',
        price: { from: 0, to: 300 },
        onHand: { from: 0, to: 4 },
        details: [],
      },
    ]);
    const withStock = await planImport(catalog, next, { setStock: true });
    expect(withStock[3]).toEqual({
      purchaseToken: 'STOCK',
      action: 'update',
      onHand: { from: 2, to: 9 },
      details: [],
    });
    expect(withStock[0]?.onHand).toBeUndefined();
    expect(await catalog.listProducts()).toEqual(before);
    expect(await planImport(catalog, [], { setStock: true })).toEqual([]);
  });
});

describe('catalog items read back from DynamoDB', () => {
  const item = {
    purchaseToken: 'A',
    sku: 'a',
    description: 'A',
    unitPriceMinor: 100,
    currency: 'SEK',
    taxRatePercent: 25,
    onHand: 2,
  };

  it('become products, sold counted from zero', () => {
    expect(toProduct(item)).toEqual({
      ...item,
      reserved: 0,
      available: 2,
      sold: 0,
      active: true,
      stockShards: 1,
    });
    // From before the stock model: `available` and `sold` only.
    const { onHand: _onHand, ...legacy } = item;
    expect(toProduct({ ...legacy, available: 4, sold: 1 })).toMatchObject({
      onHand: 4,
      reserved: 0,
      available: 4,
      sold: 1,
    });
    expect(toProduct({ ...item, active: false })?.active).toBe(false);
    expect(toProduct({ ...item, sold: 3 })?.sold).toBe(3);
  });

  it.each([
    ['no price', { unitPriceMinor: undefined }],
    ['a fractional price', { unitPriceMinor: 99.5 }],
    ['a bad currency', { currency: 'kronor' }],
    ['stock as text', { available: '2' }],
    ['a negative reservation', { reserved: -1 }],
    ['no stock shards', { stockShards: 0 }],
    ['more stock shards than one transaction can move', { stockShards: 33 }],
  ])('are not for sale with %s', (_name, change) => {
    expect(toProduct({ ...item, ...change })).toBeUndefined();
  });
});
