import { parseCsv } from '../../cli/catalog-file.js';
import { readProduct } from '../../lambda/checkout/model/catalog-item.js';
import { catalogOf } from '../../lambda/checkout/use-cases/catalog.js';
import {
  composeBundles,
  importCatalog,
  planImport,
  rowsWithIssues,
  validateCatalog,
} from '../../lambda/checkout/use-cases/catalog-import.js';
import { InMemoryStore } from '../support/in-memory.js';

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
          onHand: '3',
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

  it('refuses `available`: the shop counts it; a file gives onHand', () => {
    const { products, issues } = validateCatalog(
      [{ purchaseToken: 'A', sku: 'a', description: 'A', price: '1.00', taxRatePercent: 25, available: 3 }],
      'SEK',
    );
    expect(products).toEqual([]);
    expect(issues).toEqual([
      {
        row: 1,
        field: 'available',
        message: 'is counted by the shop (on hand less what open orders hold): give onHand instead',
      },
    ]);
  });

  it('refuses product texts a receipt or an invoice cannot show: non-characters, private use, blank fillers', () => {
    const base = {
      purchaseToken: 'T',
      sku: 'S',
      description: 'Mug',
      price: '10.00',
      currency: 'SEK',
      taxRatePercent: 25,
      onHand: 1,
    };
    for (const bad of ['\uFFFF', '\uE000', '\u3164', '\u2800', '\u202E', '\u0007']) {
      const { issues } = validateCatalog(
        [
          { ...base, description: `Mug${bad}` },
          { ...base, purchaseToken: 'U', sku: bad },
        ],
        'SEK',
      );
      expect([JSON.stringify(bad), issues.map((issue) => `${issue.row} ${issue.field}`)]).toEqual([
        JSON.stringify(bad),
        ['1 description', '2 sku'],
      ]);
    }
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
          onHand: -1,
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
      { row: 3, field: 'onHand', message: 'must be at least 0' },
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
    onHand: 2,
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
      { row: 2, field: 'sku', message: "same is also A's: two tokens sell the same article" },
      { row: 4, field: 'sku', message: "same is also A's: two tokens sell the same article" },
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
    const catalog = catalogOf(new InMemoryStore());
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
        row('STOCK', 's', { onHand: 9 }),
        row('NEW', 'n', { onHand: 4, price: '3.00' }),
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
    reserved: 0,
    available: 2,
    sold: 0,
  };

  it('become products', () => {
    expect(readProduct(item)).toEqual({ ...item, active: true, stockShards: 1 });
    expect(readProduct({ ...item, active: false })?.active).toBe(false);
    expect(readProduct({ ...item, sold: 3 })?.sold).toBe(3);
  });

  it.each([
    ['no price', { unitPriceMinor: undefined }],
    ['a fractional price', { unitPriceMinor: 99.5 }],
    ['a bad currency', { currency: 'kronor' }],
    ['stock as text', { available: '2' }],
    ['no counters', { onHand: undefined }],
    ['a negative reservation', { reserved: -1 }],
    ['no stock shards', { stockShards: 0 }],
    ['more stock shards than one transaction can move', { stockShards: 33 }],
  ])('are not for sale with %s', (_name, change) => {
    expect(readProduct({ ...item, ...change })).toBeUndefined();
  });

  it('read a bundle with its parts, and only when it can be invoiced as stored', () => {
    const part = {
      purchaseToken: 'M',
      sku: 'm',
      description: 'Mug',
      unitPriceMinor: 100,
      taxRatePercent: 25,
      quantity: 2,
    };
    const bundle = { ...item, onHand: 0, available: 0, unitPriceMinor: 150, components: [part] };
    expect(readProduct(bundle)).toMatchObject({
      unitPriceMinor: 150,
      components: [part],
      onHand: 0,
      available: 0,
    });
    expect(readProduct({ ...bundle, unitPriceMinor: 200 })?.components).toHaveLength(1);
    expect(readProduct({ ...bundle, unitPriceMinor: 201 })).toBeUndefined();
    expect(readProduct({ ...bundle, components: [{ ...part, sku: '' }] })).toBeUndefined();
    expect(readProduct({ ...bundle, components: [] })).toBeUndefined();
  });
});

describe('catalog import: bundles', () => {
  const MUG_ROW = {
    purchaseToken: 'MUG',
    sku: 'M-1',
    description: 'Mug',
    price: '149.00',
    taxRatePercent: 25,
    onHand: 4,
  };

  it('reads a bundle from JSON (a components array) and from CSV ("token*quantity" separated by spaces)', async () => {
    const csv = parseCsv(
      'purchaseToken,sku,description,price,taxRatePercent,onHand,components\n' +
        'MUG,M-1,Mug,149.00,25,4,\n' +
        'BEANS,B-1,Beans,89.00,12,9,\n' +
        'KIT,K-1,Kit,330.00,,,MUG*2  BEANS\n',
    );
    const json = [
      MUG_ROW,
      {
        purchaseToken: 'BEANS',
        sku: 'B-1',
        description: 'Beans',
        price: '89.00',
        taxRatePercent: 12,
        onHand: 9,
      },
      {
        purchaseToken: 'KIT',
        sku: 'K-1',
        description: 'Kit',
        price: '330.00',
        components: [
          { purchaseToken: 'MUG', quantity: 2 },
          { purchaseToken: 'BEANS', quantity: 1 },
        ],
      },
    ];
    for (const rows of [csv, json]) {
      const validated = validateCatalog(rows, 'SEK');
      expect(validated.issues).toEqual([]);
      expect(validated.products.map((product) => product.purchaseToken)).toEqual(['MUG', 'BEANS']);
      expect(validated.bundles).toEqual([
        {
          row: 3,
          entry: {
            purchaseToken: 'KIT',
            sku: 'K-1',
            description: 'Kit',
            currency: 'SEK',
            priceMinor: 33000,
            components: [
              { purchaseToken: 'MUG', quantity: 2 },
              { purchaseToken: 'BEANS', quantity: 1 },
            ],
          },
        },
      ]);
      const catalog = catalogOf(new InMemoryStore());
      const { bundles, issues } = await composeBundles(catalog, validated);
      expect(issues).toEqual([]);
      expect(
        bundles[0]?.components.map((part) => [part.purchaseToken, part.unitPriceMinor, part.quantity]),
      ).toEqual([
        ['MUG', 14900, 2],
        ['BEANS', 8900, 1],
      ]);
      // Products first, then the bundles made of them.
      expect(await importCatalog(catalog, validated.products, { setStock: false, bundles })).toEqual({
        created: 3,
        updated: 0,
      });
      expect((await catalog.getProduct('KIT'))?.available).toBe(2);
    }
  });

  it('lists every problem of a bundle row before anything is written', async () => {
    const validated = validateCatalog(
      [
        MUG_ROW,
        {
          purchaseToken: 'K1',
          sku: 'K',
          description: 'Kit',
          onHand: 3,
          taxRatePercent: 25,
          ean: '12345678',
          components: 'MUG*x',
        },
        { purchaseToken: 'K2', sku: 'K', description: 'Kit', price: 'lots', components: 'MUG' },
        { purchaseToken: 'MUG', sku: 'K', description: 'Kit', components: 'MUG' },
      ],
      'SEK',
    );
    expect(validated.bundles).toEqual([]);
    expect(validated.issues).toEqual([
      {
        row: 2,
        field: 'onHand',
        message: 'a bundle has no stock of its own: its components’ stock sells it',
      },
      { row: 2, field: 'taxRatePercent', message: 'each component keeps its own tax rate' },
      { row: 2, field: 'ean', message: 'each component keeps its own EAN' },
      {
        row: 2,
        field: 'components',
        message: 'write each as a purchase token, or token*quantity, separated by spaces: mug*2 beans',
      },
      { row: 3, field: 'price', message: 'must be an amount such as 899.00' },
      { row: 4, field: 'components[1]', message: 'a bundle cannot contain itself' },
      { row: 4, field: 'purchaseToken', message: 'repeats row 1' },
    ]);
  });

  it('takes components from the catalog when the file does not have them, and refuses what cannot be bundled', async () => {
    const catalog = catalogOf(new InMemoryStore());
    await catalog.upsert(
      {
        purchaseToken: 'MUG',
        sku: 'M-1',
        description: 'Mug',
        unitPriceMinor: 14900,
        currency: 'SEK',
        taxRatePercent: 25,
        onHand: 4,
      },
      { setStock: false },
    );
    await catalog.upsert(
      {
        purchaseToken: 'HOT',
        sku: 'H-1',
        description: 'Hot',
        unitPriceMinor: 100,
        currency: 'SEK',
        taxRatePercent: 25,
        onHand: 40,
      },
      { setStock: false },
    );
    await catalog.setStockShards('HOT', 4);
    await catalog.upsert(
      { ...(await catalog.getProduct('MUG'))!, purchaseToken: 'CUP', onHand: 1 },
      { setStock: false },
    );
    const validated = validateCatalog(
      [
        { purchaseToken: 'KIT', sku: 'K', description: 'Kit', components: 'MUG*2' },
        { purchaseToken: 'BAD', sku: 'K', description: 'Kit', components: 'HOT NOPE KIT' },
        { purchaseToken: 'CUP', sku: 'K', description: 'Kit', components: 'MUG' },
      ],
      'SEK',
    );
    const { bundles, issues } = await composeBundles(catalog, validated);
    expect(bundles.map((bundle) => [bundle.purchaseToken, bundle.unitPriceMinor])).toEqual([['KIT', 29800]]);
    expect(issues).toEqual([
      {
        row: 2,
        field: 'components[1]',
        message: 'HOT keeps its stock over 4 shards; set it back to 1 to bundle it',
      },
      { row: 2, field: 'components[2]', message: 'NOPE is not in the catalog or this file' },
      { row: 2, field: 'components[3]', message: 'KIT is a bundle; list its products instead' },
      {
        row: 3,
        field: 'purchaseToken',
        message: 'CUP is a product with stock of its own; give the bundle a purchase token of its own',
      },
    ]);
  });

  it('plans a bundle like a product: created, then unchanged, then its components and price changed', async () => {
    const catalog = catalogOf(new InMemoryStore());
    const rows = [MUG_ROW, { purchaseToken: 'KIT', sku: 'K', description: 'Kit', components: 'MUG*2' }];
    const validated = validateCatalog(rows, 'SEK');
    const { bundles } = await composeBundles(catalog, validated);
    expect(await planImport(catalog, validated.products, { setStock: false, bundles })).toEqual([
      expect.objectContaining({ purchaseToken: 'MUG', action: 'create' }),
      {
        purchaseToken: 'KIT',
        action: 'create',
        price: { from: 0, to: 29800 },
        onHand: undefined,
        details: [],
      },
    ]);
    await importCatalog(catalog, validated.products, { setStock: false, bundles });
    expect((await planImport(catalog, [], { setStock: true, bundles }))[0]).toMatchObject({
      action: 'unchanged',
      details: [],
    });
    const again = validateCatalog([MUG_ROW, { ...rows[1], components: 'MUG*3' }], 'SEK');
    const changed = await composeBundles(catalog, again);
    expect((await planImport(catalog, [], { setStock: false, bundles: changed.bundles }))[0]).toEqual({
      purchaseToken: 'KIT',
      action: 'update',
      price: { from: 29800, to: 44700 },
      onHand: undefined,
      details: ['components'],
    });
  });
});
