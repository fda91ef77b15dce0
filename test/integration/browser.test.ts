import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * A shopper in a real browser: the demo shop's product page with the QR widget, the sandbox's
 * Glase app, Pay and Decline — driven through Debian's Chromium with playwright-core.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** jsQR ships CommonJS with a default export TypeScript's ESM view cannot call. */
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;
/** Where the README's pictures come from: `SCREENSHOT_DIR=docs npm run test:integration -- browser`. */
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'glase-browser-'));

describe('the demo shop and the sandbox Glase app in Chromium (DynamoDB Local + sandbox)', () => {
  let stack: TestStack;
  let browser: Browser;
  const mailDir = join(mkdtempSync(join(tmpdir(), 'glase-browser-mail-')), 'mail');
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no Chromium at ${CHROMIUM}: install one (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH`,
      );
    }
    stack = await startTestStack({ shopPort: 0, environment: { MAIL_DIR: mailDir } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterEach(() => stack?.sandbox?.clearFaults());
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** A phone-sized page whose app profile carries this shopper's name. */
  async function phone(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    // Playwright's 30 s per step is real work on a busy machine: only a hang may end a step.
    page.setDefaultTimeout(300_000);
    return page;
  }

  /** What a phone camera would read from the QR code: the pixels of the image, decoded. */
  async function scanQr(page: Page): Promise<string> {
    const image = page.locator('#qrcode img');
    await image.waitFor();
    // Drawn, not just in the page: the image has loaded.
    await page.waitForFunction(
      "document.querySelector('#qrcode img')?.complete && document.querySelector('#qrcode img').naturalWidth > 0",
    );
    const png = PNG.sync.read(await image.screenshot());
    const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    if (!code) throw new Error('the QR code could not be read');
    return code.data;
  }

  async function openProduct(page: Page, name: string): Promise<void> {
    await page.goto(stack.shopUrl as string);
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { name: 'Buy with Glase' }).waitFor();
  }

  async function buyInApp(page: Page, shopper: string): Promise<void> {
    await page.locator('#profile-box summary').click();
    await page.getByLabel('Name', { exact: true }).fill(shopper);
    await page.getByRole('button', { name: 'Confirm purchase' }).click();
  }

  const text = async (page: Page, selector: string) =>
    ((await page.locator(selector).textContent()) ?? '').trim();
  const focused = (page: Page) => page.evaluate('document.activeElement?.id');

  const orderOf = async (shopper: string) =>
    (await stack.orders()).find((order) => order.customer.clientName === shopper);

  it('product page → QR code (decoded) → app → Pay: the order is PAID and the receipt mailed', async () => {
    const page = await phone();
    await openProduct(page, 'Stoneware mug, 350 ml');
    await page.screenshot({ path: join(SCREENSHOTS, 'shop-product-page.png'), fullPage: true });
    const scanned = new URL(await scanQr(page));
    expect(scanned.searchParams.get('webshopId')).toBe('local-shop');
    expect(scanned.searchParams.get('purchaseToken')).toBe('29834231890234');
    expect(`${scanned.origin}${scanned.pathname}`).toBe(stack.appUrl);

    await page.locator('a.seqr-qrcode').click();
    expect(await page.getByLabel('Purchase token').inputValue()).toBe('29834231890234');
    await buyInApp(page, 'Browser Buyer');
    await page.getByRole('heading', { name: 'Invoice' }).waitFor();
    expect(await text(page, '#rows tbody')).toContain('1 × Stoneware mug, 350 ml');
    expect(await text(page, '#rows tbody')).toContain('25 %');
    expect(await text(page, '#total')).toBe('149.00 SEK');
    await page.screenshot({ path: join(SCREENSHOTS, 'app-invoice.png'), fullPage: true });

    await page.getByRole('button', { name: 'Pay' }).click();
    await page.locator('#status', { hasText: 'Paid' }).waitFor();
    expect(await text(page, '#status')).toBe('Paid — the shop confirmed it');
    expect(await text(page, '#facts')).toMatch(
      /getPaymentStatus seen at\d+ ms \(Glase reverses after 20000 ms\)/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'app-paid.png'), fullPage: true });

    const order = await orderOf('Browser Buyer');
    expect(order?.status).toBe('PAID');
    expect(await text(page, '#facts')).toContain(order?.invoiceReference as string);
    expect(readdirSync(mailDir).filter((name) => name.includes(`${order?.orderId}_paid`))).toHaveLength(1);
    await page.close();
  });

  it('Decline: the invoice is canceled and the reconciler cancels the order, its unit back', async () => {
    const page = await phone();
    await openProduct(page, 'Fika: the art of the Swedish coffee break (2nd ed.)');
    await page.locator('a.seqr-qrcode').click();
    const before = (await stack.product('BOOK.fika-2nd-ed')).reserved;
    await buyInApp(page, 'Browser Decliner');
    await page.getByRole('heading', { name: 'Invoice' }).waitFor();
    expect((await stack.product('BOOK.fika-2nd-ed')).reserved).toBe(before + 1);
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.locator('#status', { hasText: 'Declined' }).waitFor();
    await stack.reconcile();
    expect((await orderOf('Browser Decliner'))?.status).toBe('CANCELED');
    expect((await stack.product('BOOK.fika-2nd-ed')).reserved).toBe(before);
    await page.close();
  });

  it('a sold-out product: the app says what the shop answered, and nothing is reserved', async () => {
    const page = await phone();
    await openProduct(page, 'Rain jacket, M, yellow');
    expect(await text(page, 'body')).toContain('sold out');
    await page.locator('a.seqr-qrcode').click();
    await buyInApp(page, 'Browser Latecomer');
    await page.getByRole('alert').waitFor();
    expect(await text(page, '#scan-error')).toMatch(/^The shop said 409: SOLD_OUT — /);
    expect(await orderOf('Browser Latecomer')).toBeUndefined();
    await page.close();
  });

  it('the fault switches: with getPaymentStatus failing twice the shop still confirms the payment inside 20 s', async () => {
    const page = await phone();
    await page.goto(`${stack.appUrl}?purchaseToken=29834231890234`);
    await page.locator('#faults-box summary').click();
    await page.getByLabel('getPaymentStatus answers HTTP 500 twice').check();
    await page.locator('#faults-state', { hasText: 'Glase misbehaves' }).waitFor();
    await buyInApp(page, 'Browser Patient');
    await page.getByRole('heading', { name: 'Invoice' }).waitFor();
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.locator('#status', { hasText: 'Paid' }).waitFor();
    expect(await text(page, '#status')).toBe('Paid — the shop confirmed it');
    expect((await orderOf('Browser Patient'))?.status).toBe('PAID');
    // Three getPaymentStatus calls for this invoice: two answered 500, the third PAID.
    const invoice = (await orderOf('Browser Patient'))?.invoiceReference;
    expect(
      stack.sandbox?.callsTo('getPaymentStatus').filter((call) => call.invoiceReference === invoice),
    ).toHaveLength(3);
    await page.close();
  });

  it('works from the keyboard: tab to the token, type it, Enter buys', async () => {
    const page = await phone();
    await page.goto(stack.appUrl as string);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('token');
    await page.keyboard.type('29834231890234');
    await page.locator('#profile-box summary').focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Name', { exact: true }).fill('Keyboard Shopper');
    await page.getByLabel('Purchase token').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Invoice' }).waitFor();
    expect(await focused(page)).toBe('pay');
    expect((await orderOf('Keyboard Shopper'))?.status).toBe('INVOICED');
    await page.close();
  });
});
