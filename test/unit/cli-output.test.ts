import { productTable, stamp } from '../../cli/output.js';
import type { Product } from '../../lambda/checkout/model/product.js';

describe('what the operator CLI prints', () => {
  it('writes every time in UTC with its zone, to the second', () => {
    expect(stamp('2026-11-27T04:27:22.216Z')).toBe('2026-11-27T04:27:22Z');
    expect(stamp('2015-10-29T10:18:48.663+01:00')).toBe('2015-10-29T09:18:48Z');
    expect(stamp('not a time')).toBe('not a time');
  });

  it('shows a bundle with its parts’ tax rates, not one rate for all', () => {
    const kit: Product = {
      purchaseToken: 'FIKA-KIT',
      sku: 'KIT',
      description: 'Fika kit',
      unitPriceMinor: 49900,
      currency: 'SEK',
      taxRatePercent: 25,
      onHand: 0,
      reserved: 0,
      available: 3,
      sold: 0,
      active: true,
      stockShards: 1,
      components: [
        {
          purchaseToken: 'MUG',
          sku: 'M',
          description: 'Mug',
          unitPriceMinor: 14900,
          taxRatePercent: 25,
          quantity: 2,
        },
        {
          purchaseToken: 'BOOK',
          sku: 'B',
          description: 'Book',
          unitPriceMinor: 24950,
          taxRatePercent: 6,
          quantity: 1,
        },
      ],
    };
    const [, row] = productTable([kit]).split('\n');
    expect(row).toMatch(/^FIKA-KIT +KIT +499\.00 SEK +6%\/25% +- +- +3 +- +on /);
  });
});
