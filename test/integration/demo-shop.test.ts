import { catalogOf } from '../../lambda/checkout/use-cases/catalog.js';
import { startDemoShop } from '../../local/demo-shop.js';
import { InMemoryStore } from '../support/in-memory.js';

describe('the demo shop’s pages', () => {
  it('lists every product and shows each with the QR snippet; what a catalog file says is text, never markup', async () => {
    const catalog = catalogOf(new InMemoryStore());
    await catalog.upsert(
      {
        purchaseToken: 'MUG-1',
        sku: 'M<1>',
        description: 'Mug <script>alert("x")</script> & "co"',
        unitPriceMinor: 14900,
        currency: 'SEK',
        taxRatePercent: 25,
        onHand: 0,
      },
      { setStock: true },
    );
    const shop = await startDemoShop({
      catalog,
      webshopId: 'shop-1',
      shopTitle: 'Shop <b>',
      scriptUrl: 'http://127.0.0.1:9/sandbox/qr.js',
    });
    try {
      const index = await (await fetch(shop.url)).text();
      expect(index).toContain(
        '<a href="/products/MUG-1">Mug &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#34;co&#34;</a>',
      );
      expect(index).toContain('149.00 SEK · sold out');
      expect(index).not.toContain('<script>alert');
      expect(index).toContain('<h1>Shop &#60;b&#62;</h1>');
      const page = await fetch(`${shop.url}products/MUG-1`);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain('<script src="http://127.0.0.1:9/sandbox/qr.js"></script>');
      expect(html).toContain('purchaseToken: "MUG-1",');
      expect(html).toContain('webshopId: "shop-1",');
      expect(html).toContain('SKU M&#60;1&#62;');
      expect(html).not.toContain('<script>alert');
      expect((await fetch(`${shop.url}products/NOPE`)).status).toBe(404);
    } finally {
      await shop.close();
    }
  });
});
