import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatMinor } from '../lambda/checkout/model/money.js';
import type { Product } from '../lambda/checkout/model/product.js';
import type { CatalogAdmin } from '../lambda/checkout/use-cases/catalog.js';
import { qrSnippet } from '../lambda/checkout/views/qr-snippet.js';

/**
 * The demo shop `npm start` serves: an index of the catalog and a product page per item, each
 * page carrying the QR widget exactly as `glase-checkout snippet` prints it, so the page proves
 * the snippet. The widget's script is the sandbox's stand-in for Glase's.
 */
export interface DemoShopOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly catalog: CatalogAdmin;
  readonly webshopId: string;
  readonly shopTitle: string;
  readonly scriptUrl: string;
}

export interface DemoShop {
  readonly url: string;
  close(): Promise<void>;
}

const htmlText = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.codePointAt(0)};`);

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlText(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 42rem; padding: 1rem; }
  a { color: #036; }
  ul { padding: 0; list-style: none; }
  li { padding: 0.6rem 0; border-bottom: 1px solid #ddd; display: flex; justify-content: space-between; gap: 1rem; }
  .price { font-size: 1.4rem; font-weight: bold; }
  .seqr-qrcode { display: inline-flex; flex-direction: column; align-items: center; gap: 0.3rem; }
  a:focus-visible { outline: 3px solid #036; outline-offset: 2px; }
</style>
</head>
<body>
${body}
</body>
</html>
`;

async function allProducts(catalog: CatalogAdmin): Promise<Product[]> {
  const products: Product[] = [];
  let next: string | undefined;
  do {
    const result = await catalog.listProducts(next);
    products.push(...result.products);
    next = result.nextPage;
  } while (next);
  return products.sort((a, b) => a.description.localeCompare(b.description));
}

const price = (product: Product) => `${formatMinor(product.unitPriceMinor)} ${product.currency}`;
const stock = (product: Product) =>
  !product.active ? 'not for sale' : product.available > 0 ? `${product.available} in stock` : 'sold out';

export async function startDemoShop(options: DemoShopOptions): Promise<DemoShop> {
  const server: Server = createServer((request, response) => {
    const answer = async () => {
      const path = new URL(request.url ?? '/', 'http://shop').pathname;
      if (path === '/') {
        const products = await allProducts(options.catalog);
        return page(
          options.shopTitle,
          `<h1>${htmlText(options.shopTitle)}</h1>
<p>A demo shop: every product page carries Glase's QR widget as <code>glase-checkout snippet</code> prints it.</p>
<ul>
${products
  .map(
    (product) =>
      `<li><a href="/products/${encodeURIComponent(product.purchaseToken)}">${htmlText(product.description)}</a><span>${price(product)} · ${stock(product)}</span></li>`,
  )
  .join('\n')}
</ul>`,
        );
      }
      const token = /^\/products\/([^/]+)$/.exec(path)?.[1];
      const product = token ? await options.catalog.getProduct(decodeURIComponent(token)) : undefined;
      if (!product) return undefined;
      const snippet = qrSnippet({
        scriptUrl: options.scriptUrl,
        selector: '#qrcode',
        purchaseToken: product.purchaseToken,
        webshopId: options.webshopId,
      });
      return page(
        `${product.description} — ${options.shopTitle}`,
        `<p><a href="/">← ${htmlText(options.shopTitle)}</a></p>
<h1>${htmlText(product.description)}</h1>
<p class="price">${price(product)}</p>
<p>${stock(product)} · SKU ${htmlText(product.sku)}</p>
<h2>Buy with Glase</h2>
${snippet}`,
      );
    };
    answer().then(
      (html) => {
        response.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
        response.end(
          html ?? page('Not found', '<h1>No such product</h1><p><a href="/">All products</a></p>'),
        );
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`demo shop error: ${(error as Error).message}`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
