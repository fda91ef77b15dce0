import { HttpWebhookPoster } from '../../lambda/webhooks/http-poster.js';
import { signatureHeader, verifySignature } from '../../lambda/webhooks/signature.js';
import { BODY, OLD_SECRET, SECRET, T, V1, V1_OLD } from '../support/webhook-vectors.js';

describe('the webhook signature', () => {
  it('matches the fixed vectors: t=<t>,v1=<HMAC-SHA256(secret, "<t>.<body>")>, the new secret first while rotating', () => {
    expect(signatureHeader({ current: SECRET }, T, BODY)).toBe(`t=${T},v1=${V1}`);
    expect(signatureHeader({ current: SECRET, previous: OLD_SECRET }, T, BODY)).toBe(
      `t=${T},v1=${V1},v1=${V1_OLD}`,
    );
  });

  it('verifies: any matching v1, a fresh t; refuses a changed body, another secret, an old t, no header', () => {
    const now = { nowSeconds: T + 10, toleranceSeconds: 300 };
    const rotating = `t=${T},v1=${V1},v1=${V1_OLD}`;
    expect(verifySignature(rotating, BODY, SECRET, now)).toEqual({ valid: true, t: T });
    expect(verifySignature(rotating, BODY, OLD_SECRET, now)).toEqual({ valid: true, t: T });
    expect(verifySignature(rotating, `${BODY} `, SECRET, now).valid).toBe(false);
    expect(verifySignature(rotating, BODY, 'another-secret-0123456789', now).valid).toBe(false);
    expect(verifySignature(rotating, BODY, SECRET, { nowSeconds: T + 301, toleranceSeconds: 300 })).toEqual({
      valid: false,
      why: `timestamp ${T} is outside the 300 s tolerance`,
    });
    expect(verifySignature(undefined, BODY, SECRET, now).valid).toBe(false);
    expect(verifySignature(`v1=${V1}`, BODY, SECRET, now).valid).toBe(false);
  });

  it('is never sent unsigned: an endpoint whose secret cannot be read is a failed attempt, with no request made', async () => {
    const poster = new HttpWebhookPoster(() => Promise.reject(new Error('no value yet')));
    // Port 9 (discard) is never listened on here: reaching it would be a network error instead.
    expect(await poster.post('shop', 'http://127.0.0.1:9/', BODY)).toEqual({
      failure: 'secret not configured',
    });
  });
});
