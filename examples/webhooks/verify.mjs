// Verifying a glase-checkout webhook in Node (no dependencies). Use it in your endpoint:
//
//   import { verifyWebhook } from './verify.mjs';
//   const event = verifyWebhook(rawBody, req.headers['glase-checkout-signature'], process.env.WEBHOOK_SECRET);
//
// Verify the raw body exactly as it arrived (before any JSON parsing), then drop repeats by
// event.id: a retry or a redelivery carries the same id.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Returns the parsed event when the signature is valid and fresh; throws otherwise. */
export function verifyWebhook(rawBody, header, secret, { toleranceSeconds = 300, nowSeconds } = {}) {
  if (!header) throw new Error('no Glase-Checkout-Signature header');
  let t;
  const signatures = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=');
    if (name === 't') t = Number(value);
    if (name === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) signatures.push(Buffer.from(value, 'hex'));
  }
  if (!Number.isInteger(t)) throw new Error('no timestamp in the signature');
  const now = nowSeconds ?? Math.floor(Date.now() / 1000);
  // A replay of an old delivery fails here, even with a valid signature.
  if (Math.abs(now - t) > toleranceSeconds) throw new Error('timestamp outside the tolerance');
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`, 'utf8').digest();
  if (!signatures.some((signature) => timingSafeEqual(signature, expected))) {
    throw new Error('signature does not match');
  }
  return JSON.parse(rawBody);
}

// Run as a script: the body on stdin, the header and secret in the environment (the tests do).
if (import.meta.url === `file://${process.argv[1]}`) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  try {
    const event = verifyWebhook(
      Buffer.concat(chunks).toString('utf8'),
      process.env.SIGNATURE,
      process.env.WEBHOOK_SECRET,
      {
        nowSeconds: process.env.NOW ? Number(process.env.NOW) : undefined,
      },
    );
    process.stdout.write(`valid ${event.id} ${event.type}\n`);
  } catch (error) {
    process.stdout.write(`invalid: ${error.message}\n`);
    process.exitCode = 1;
  }
}
