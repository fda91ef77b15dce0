import { readFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { SANDBOX_APP_PATH, SANDBOX_QR_SCRIPT_PATH } from '../../lambda/wiring/local-profile.js';

/**
 * The sandbox's browser side: a stand-in for Glase's QR widget script (the same global API, a
 * real QR code drawn by the `qrcode` library) and a Glase app for a browser, which "scans" by
 * calling the shop's createPurchase as Glase would. Plain files in web/, served as they are.
 */
const file = (name: string) => readFileSync(new URL(`./web/${name}`, import.meta.url), 'utf8');
const STATIC: Readonly<Record<string, { type: string; body: () => string }>> = {
  [SANDBOX_QR_SCRIPT_PATH]: { type: 'text/javascript; charset=utf-8', body: () => file('qr.js') },
  [SANDBOX_APP_PATH]: { type: 'text/html; charset=utf-8', body: () => file('app.html') },
  [`${SANDBOX_APP_PATH}app.js`]: { type: 'text/javascript; charset=utf-8', body: () => file('app.js') },
  [`${SANDBOX_APP_PATH}app.css`]: { type: 'text/css; charset=utf-8', body: () => file('app.css') },
};
const QR_IMAGE_PATH = '/sandbox/qr.svg';
const PURCHASE_PATH = '/sandbox/app/purchase';

/** Where the app sends a scan: the shop's createPurchase, as the merchant gave it to Glase. */
export interface ShopConnection {
  readonly createPurchaseUrl: string;
  /** Headers Glase would send besides the body's (X-Auth-Token with CALLER_AUTH=token). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WebAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

/** The app link a sandbox QR code carries: the webshop id and the token, on this computer. */
export function appLink(baseUrl: string, webshopId: string, purchaseToken: string): string {
  return `${baseUrl}${SANDBOX_APP_PATH}?${new URLSearchParams({ webshopId, purchaseToken })}`;
}

/** Answers a browser route, or undefined when `path` is none of them. */
export async function serveWeb(
  method: string,
  url: URL,
  body: string,
  context: { readonly baseUrl: string; readonly shop?: ShopConnection | undefined },
): Promise<WebAnswer | undefined> {
  const path = url.pathname === '/app' ? SANDBOX_APP_PATH : url.pathname;
  const page = STATIC[path];
  if (page && method === 'GET') return { status: 200, type: page.type, body: page.body() };
  if (path === QR_IMAGE_PATH && method === 'GET') {
    const link = appLink(
      context.baseUrl,
      url.searchParams.get('webshopId') ?? '',
      url.searchParams.get('purchaseToken') ?? '',
    );
    const svg = await QRCode.toString(link, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { status: 200, type: 'image/svg+xml', body: svg };
  }
  if (path === PURCHASE_PATH && method === 'POST') return purchase(body, context.shop);
  return undefined;
}

const json = (status: number, value: unknown): WebAnswer => ({
  status,
  type: 'application/json',
  body: JSON.stringify(value),
});

/** The body Glase sends createPurchase: the token and the shopper's saved profile. */
async function purchase(body: string, shop: ShopConnection | undefined): Promise<WebAnswer> {
  if (!shop) return json(503, { error: 'no shop is connected to this sandbox (npm start connects it)' });
  let given: { purchaseToken?: unknown; profile?: Record<string, unknown> };
  try {
    given = JSON.parse(body);
  } catch {
    return json(400, { error: 'the app sent no JSON' });
  }
  const profile = given.profile ?? {};
  const text = (name: string) => (typeof profile[name] === 'string' ? (profile[name] as string) : '');
  const request = {
    purchaseToken: typeof given.purchaseToken === 'string' ? given.purchaseToken : '',
    clientName: text('clientName'),
    street: text('street'),
    city: text('city'),
    country: text('country'),
    state: '',
    zip: text('zip'),
    email: text('email'),
    msisdn: text('msisdn'),
  };
  const response = await fetch(shop.createPurchaseUrl, {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json;charset=UTF-8',
      ...shop.headers,
    },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(60_000),
  });
  const answer = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    parsed = { error: { message: answer } };
  }
  return json(200, { status: response.status, shop: parsed });
}
