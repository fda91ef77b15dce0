import type { InvoiceRow } from './invoice.js';
import { sumMinor } from './money.js';

/**
 * VAT (moms) as Swedish prices carry it: every price includes it, so the VAT in an amount is
 * taken out of it, never added on top. Worked per rate on the rate's whole sum, in öre, so a
 * sale's net and VAT add up to its price exactly.
 */
export interface RateShare {
  readonly ratePercent: number;
  /** What was paid at this rate, VAT included. */
  readonly grossMinor: number;
  readonly vatMinor: number;
  /** grossMinor − vatMinor: the base the VAT was charged on. */
  readonly netMinor: number;
}

/** The VAT inside a VAT-inclusive amount: gross × rate / (100 + rate), rounded half away from zero. */
export function vatIn(grossMinor: number, ratePercent: number): number {
  if (ratePercent === 0 || grossMinor === 0) return 0;
  const sign = grossMinor < 0 ? -1 : 1;
  const numerator = Math.abs(grossMinor) * ratePercent;
  const denominator = 100 + ratePercent;
  // Half up in whole numbers: (2n + d) / 2d floored.
  return sign * Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** A sale's rows grouped by VAT rate, highest rate first. */
export function byRate(rows: readonly Pick<InvoiceRow, 'totalMinor' | 'taxRatePercent'>[]): RateShare[] {
  const gross = new Map<number, number>();
  for (const row of rows)
    gross.set(row.taxRatePercent, (gross.get(row.taxRatePercent) ?? 0) + row.totalMinor);
  return [...gross]
    .sort(([a], [b]) => b - a)
    .map(([ratePercent, grossMinor]) => share(ratePercent, grossMinor));
}

/**
 * A partial amount (a refund) spread over a sale's rates in proportion to what each rate was
 * paid, whole öre only, the remainder one öre at a time to the largest fractions: the parts add
 * up to `amountMinor` exactly, and the VAT of each part is taken out as for a sale.
 */
export function spreadOverRates(amountMinor: number, sale: readonly RateShare[]): RateShare[] {
  const total = sumMinor(sale.map((rate) => rate.grossMinor));
  if (total === 0) return [];
  const exact = sale.map((rate) => (amountMinor * rate.grossMinor) / total);
  const whole = exact.map((value) => Math.floor(value));
  let left = amountMinor - sumMinor(whole);
  const order = exact
    .map((value, index) => ({ index, fraction: value - Math.floor(value) }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    whole[index] = (whole[index] ?? 0) + 1;
    left -= 1;
  }
  return sale
    .map((rate, index) => share(rate.ratePercent, whole[index] ?? 0))
    .filter((rate) => rate.grossMinor !== 0);
}

function share(ratePercent: number, grossMinor: number): RateShare {
  const vatMinor = vatIn(grossMinor, ratePercent);
  return { ratePercent, grossMinor, vatMinor, netMinor: grossMinor - vatMinor };
}
