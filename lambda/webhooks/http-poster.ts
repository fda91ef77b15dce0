import { WEBHOOK_SIGNATURE_HEADER } from '../../contract/events.js';
import { SERVICE_NAME } from '../../contract/service.js';
import type { PostOutcome, WebhookPoster } from '../checkout/ports.js';
import { type SigningSecrets, signatureHeader } from './signature.js';

/** How long an endpoint has to answer: a receiver should acknowledge first and work after. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs a delivery with Node's fetch, signed at the moment it is sent (a retry carries a fresh
 * `t`, the same body). Redirects are not followed: a 3xx is a failed attempt, so a moved endpoint
 * shows in the log instead of the body going somewhere nobody configured.
 */
export class HttpWebhookPoster implements WebhookPoster {
  constructor(
    private readonly secretOf: (endpointId: string) => Promise<SigningSecrets>,
    private readonly options: { readonly timeoutMs?: number; readonly now?: () => number } = {},
  ) {}

  async post(endpointId: string, url: string, body: string): Promise<PostOutcome> {
    let secrets: SigningSecrets;
    try {
      secrets = await this.secretOf(endpointId);
    } catch {
      // Never sent unsigned; the log says why, the schedule tries again once it is put in.
      return { failure: 'secret not configured' };
    }
    const t = Math.floor((this.options.now ?? Date.now)() / 1000);
    try {
      const response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': SERVICE_NAME,
          [WEBHOOK_SIGNATURE_HEADER]: signatureHeader(secrets, t, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
      });
      // The answer's body is not read beyond this: an endpoint's page is nobody's business here.
      await response.body?.cancel();
      return { status: response.status };
    } catch (error) {
      const name = (error as Error).name;
      return { failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network error' };
    }
  }
}
