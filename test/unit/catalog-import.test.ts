import { parseCsv } from '../../cli/catalog-file.js';
import { validateCatalog } from '../../lambda/checkout/catalog-import.js';
import { toProduct } from '../../lambda/store/dynamo-catalog.js';

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
