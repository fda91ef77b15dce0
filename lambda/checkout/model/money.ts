/**
 * Money inside the system is an integer count of minor units (öre, cents).
 * Decimal strings exist only at the edges: the Glase wire format and the CLI.
 */
const DECIMAL = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/** `12345` → `"123.45"`; the `#.##` form Glase expects. */
export function formatMinor(minor: number): string {
  if (!Number.isSafeInteger(minor))
    throw new RangeError(`amount must be an integer number of minor units, got ${minor}`);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const major = Math.trunc(abs / 100);
  const cents = abs % 100;
  return `${sign}${major}.${cents.toString().padStart(2, '0')}`;
}

/** `"123.4"` → `12340`, parsed digit by digit so no binary fraction is ever involved. */
export function parseDecimal(text: string): number {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a non-negative amount with at most two decimals`);
  const [, major = '0', fraction = ''] = match;
  return Number(major) * 100 + Number(fraction.padEnd(2, '0'));
}

export function sumMinor(amounts: readonly number[]): number {
  const total = amounts.reduce((sum, amount) => sum + amount, 0);
  if (!Number.isSafeInteger(total)) throw new RangeError('sum of amounts overflows');
  return total;
}
