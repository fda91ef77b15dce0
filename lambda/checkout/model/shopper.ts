/**
 * Who a shopper is, as the shop recognises them across orders: the cap on unpaid orders and the
 * operator's search both read an e-mail address and a phone number the same way.
 */

/** Providers that deliver `a.b.c@` and `abc@` to the same mailbox. */
const DOTS_IGNORED = new Set(['gmail.com', 'googlemail.com']);

/**
 * An address as one mailbox: case ignored, the `+tag` dropped (every large provider delivers
 * `karin+shop@` to `karin@`), and the dots of the local part where the provider ignores them.
 */
export function canonicalEmail(address: string): string {
  const [local = '', domain = ''] = address.trim().toLowerCase().split('@');
  const untagged = local.split('+')[0] ?? '';
  return `${DOTS_IGNORED.has(domain) ? untagged.replace(/\./g, '') : untagged}@${domain}`;
}

/**
 * A phone number as its international digits: `+46 70-123 45 67`, `0046701234567` and the Swedish
 * national `070-123 45 67` are all 46701234567. A national number (one leading 0) is read as
 * Swedish: the shop sells in Sweden (docs/operating.md).
 */
export function canonicalPhone(number: string): string {
  const digits = number.replace(/\D/g, '');
  if (digits.startsWith('00')) return digits.slice(2);
  if (digits.startsWith('0')) return `46${digits.slice(1)}`;
  return digits;
}

/**
 * The mailbox as the cap on unpaid orders counts it: `canonicalEmail`, and the local part's dots
 * dropped for every provider, not only those known to ignore them. A hoarder's `hoard.1@` and
 * `h.oard1@` are one shopper here; two real people whose addresses differ only by a dot at one
 * domain share a cap of open orders (a rare, harmless refusal: pay or decline the first). The
 * operator's search keeps `canonicalEmail`: it must not find the wrong person's orders.
 */
export function holderEmail(address: string): string {
  const [local = '', domain = ''] = canonicalEmail(address).split('@');
  return `${local.replace(/\./g, '')}@${domain}`;
}
