/**
 * Fixed webhook signature vectors, computed with `openssl dgst -sha256 -hmac <secret>` over
 * "<t>.<body>", not with our code: the signature merchants verify is the one documented, whatever
 * our code does.
 */
export const T = 1764928800;
export const BODY =
  '{"id":"evt_0123456789abcdef0123456789abcdef","type":"order.paid","created":1764928800,"data":{"orderId":"01KBQ3V7M2X9","status":"PAID"}}';
export const SECRET = 'whsec-test-0123456789abcdefghijkl';
export const OLD_SECRET = 'whsec-old-9876543210zyxwvutsrqpo';
export const V1 = '09f2405db148d2748c830e3596cd10b68357862b9c17be1949b6ab5237f116f3';
export const V1_OLD = 'd8691247e0629e8b375420fa5cfe73aec2a20e328d7fdc212b64e58fc9e2f422';
