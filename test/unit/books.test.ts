import fc from 'fast-check';
import iconv from 'iconv-lite';
import type { Order } from '../../lambda/checkout/model/order.js';
import { byRate, spreadOverRates, vatIn } from '../../lambda/checkout/model/vat.js';
import {
  BAS_ACCOUNTS,
  bookEntries,
  booksCsv,
  sie4,
  stockholmTime,
} from '../../lambda/checkout/views/books.js';
import { anOrder } from '../support/orders.js';
import { propertyRuns } from '../support/property-runs.js';
import { readSie } from '../support/sie.js';

const PAID = '2026-11-15T13:00:00.000Z';
/** A bundle of a 6 % book (199.00) and two 25 % mugs (2 × 149.00), sold at 399.00. */
const BUNDLE: Order = anOrder({
  orderId: 'BUNDLE1',
  status: 'PAID',
  totalMinor: 39900,
  paidAt: PAID,
  paymentReference: 'P1',
  invoiceReference: 'I1',
  ersReference: 'E1',
  lines: [
    // As bundleLines shares the 98.00 discount out over the rows.
    {
      purchaseToken: 'BOOK',
      sku: 'B',
      description: 'Fika, en bok',
      quantity: 1,
      unitPriceMinor: 19900,
      discountMinor: 3924,
      totalMinor: 15976,
      taxRatePercent: 6,
    },
    {
      purchaseToken: 'MUG',
      sku: 'M',
      description: 'Mugg',
      quantity: 2,
      unitPriceMinor: 14900,
      discountMinor: 5876,
      totalMinor: 23924,
      taxRatePercent: 25,
    },
  ],
});

describe('VAT out of VAT-inclusive prices', () => {
  it('is taken out per rate, to the öre: 25 % of 125.00 is 25.00, 6 % of 106.00 is 6.00, 12 % of 112.00 is 12.00', () => {
    expect([vatIn(12500, 25), vatIn(10600, 6), vatIn(11200, 12), vatIn(10000, 0)]).toEqual([
      2500, 600, 1200, 0,
    ]);
    // Half away from zero: 0.005 rounds up, and a refund (negative) mirrors a sale.
    expect(vatIn(1, 25)).toBe(0);
    expect(vatIn(3, 25)).toBe(1);
    expect(vatIn(-3, 25)).toBe(-1);
  });

  it('a bundle with mixed rates: each rate on its own rows, net + VAT = gross to the öre', () => {
    const rates = byRate(BUNDLE.lines ?? []);
    expect(rates).toEqual([
      // 239.24 × 25/125 = 47.848 → 47.85; 159.76 × 6/106 = 9.043 → 9.04
      { ratePercent: 25, grossMinor: 23924, vatMinor: 4785, netMinor: 19139 },
      { ratePercent: 6, grossMinor: 15976, vatMinor: 904, netMinor: 15072 },
    ]);
    expect(rates.reduce((sum, rate) => sum + rate.grossMinor, 0)).toBe(BUNDLE.totalMinor);
  });

  it('any partial amount spread over any sale’s rates adds up exactly, with no part above its rate’s sale', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            totalMinor: fc.integer({ min: 1, max: 1_000_000 }),
            taxRatePercent: fc.constantFrom(0, 6, 12, 25),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, share) => {
          const sale = byRate(rows);
          const total = sale.reduce((sum, rate) => sum + rate.grossMinor, 0);
          const amount = Math.floor(total * share);
          const parts = spreadOverRates(amount, sale);
          expect(parts.reduce((sum, part) => sum + part.grossMinor, 0)).toBe(amount);
          for (const part of parts) {
            expect(part.netMinor + part.vatMinor).toBe(part.grossMinor);
            expect(part.grossMinor).toBeLessThanOrEqual(
              sale.find((rate) => rate.ratePercent === part.ratePercent)!.grossMinor,
            );
          }
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });
});

describe('the books of a period', () => {
  const REFUNDED: Order = {
    ...BUNDLE,
    orderId: 'EARLIER',
    status: 'PARTIALLY_REFUNDED',
    paidAt: '2026-10-30T09:00:00.000Z', // sold before the period…
    refunds: [
      // …refunded within it: 149.00 of 399.00.
      {
        refundId: 'R1',
        amountMinor: 14900,
        status: 'SUCCEEDED',
        requestedAt: '2026-11-20T10:00:00.000Z',
        completedAt: '2026-11-20T10:00:05.000Z',
        ersReference: 'E9',
        restock: false,
      },
      {
        refundId: 'R2',
        amountMinor: 5000,
        status: 'PENDING',
        requestedAt: '2026-11-21T10:00:00.000Z',
        restock: false,
      },
    ],
  };
  const SINGLE = anOrder({
    orderId: 'SINGLE',
    status: 'PAID',
    totalMinor: 14900,
    quantity: 1,
    paidAt: '2026-11-30T22:30:00.000Z',
    product: {
      sku: 'M',
      description: 'Mugg "Blå"',
      unitPriceMinor: 14900,
      currency: 'SEK',
      taxRatePercent: 25,
    },
  });
  const period = { from: new Date('2026-10-31T23:00:00.000Z'), to: new Date('2026-11-30T23:00:00.000Z') };
  const entries = bookEntries([REFUNDED, BUNDLE, SINGLE], period);

  it('holds every sale paid and every refund confirmed in the period, and nothing else', () => {
    expect(entries.map((entry) => [entry.kind, entry.orderId, entry.refundId])).toEqual([
      ['sale', 'BUNDLE1', undefined],
      ['refund', 'EARLIER', 'R1'],
      // 23:30 Stockholm on the 30th: inside a period of Stockholm days.
      ['sale', 'SINGLE', undefined],
    ]);
    expect(stockholmTime(SINGLE.paidAt as string)).toBe('2026-11-30 23:30:00');
  });

  it('places a time Glase gave with an offset by its instant, not its text', () => {
    // 00:10 on 1 December at +02:00 is 23:10 on 30 November in Stockholm: November's books.
    const offset = { ...SINGLE, orderId: 'OFFSET', paidAt: '2026-12-01T00:10:00+02:00' };
    const late = { ...SINGLE, orderId: 'LATE', paidAt: '2026-11-30T23:00:00.000Z' };
    expect(bookEntries([offset, late], period).map((entry) => entry.orderId)).toEqual(['OFFSET']);
    const december = { from: period.to, to: new Date('2026-12-31T23:00:00.000Z') };
    expect(bookEntries([offset, late], december).map((entry) => entry.orderId)).toEqual(['LATE']);
  });

  it('writes SIE 4 whose every voucher balances, and reads back to the same totals, in PC8', () => {
    const text = sie4(entries, {
      orgNumber: '556677-8899',
      name: 'Min Butik AB',
      accounts: BAS_ACCOUNTS,
      generatedAt: new Date('2026-12-01T08:00:00Z'),
      program: { name: 'glase-checkout', version: '0.1.0' },
    });
    const bytes = iconv.encode(text, 'cp437');
    // å ä ö as IBM PC 8-bit: 0x86, 0x84, 0x94.
    expect([...bytes].includes(0x84)).toBe(true);
    const { heads, vouchers } = readSie(iconv.decode(bytes, 'cp437'));
    expect(heads['#FORMAT']).toEqual(['PC8']);
    expect(heads['#SIETYP']).toEqual(['4']);
    expect(heads['#ORGNR']).toEqual(['556677-8899']);
    expect(heads['#FNAMN']).toEqual(['"Min Butik AB"']);
    expect(heads['#KONTO']?.map((konto) => konto.slice(0, 4))).toEqual([
      '1580',
      '2611',
      '2631',
      '3001',
      '3003',
    ]);
    expect(vouchers).toHaveLength(3);
    for (const voucher of vouchers)
      expect(voucher.rows.reduce((sum, row) => sum + row.amountMinor, 0)).toBe(0);
    const total = (account: string) =>
      vouchers
        .flatMap((voucher) => voucher.rows)
        .filter((row) => row.account === account)
        .reduce((sum, row) => sum + row.amountMinor, 0);
    // Glase owes the sales and takes back the refund: 399.00 + 149.00 − 149.00.
    expect(total('1580')).toBe(39900 + 14900 - 14900);
    // The sale's 25 % and 6 % parts, less the refund's share of each, to the öre.
    const refund = spreadOverRates(14900, byRate(BUNDLE.lines ?? []));
    const refund25 = refund.find((part) => part.ratePercent === 25)!;
    const refund6 = refund.find((part) => part.ratePercent === 6)!;
    expect([refund25, refund6]).toEqual([
      { ratePercent: 25, grossMinor: 8934, vatMinor: 1787, netMinor: 7147 },
      { ratePercent: 6, grossMinor: 5966, vatMinor: 338, netMinor: 5628 },
    ]);
    expect(total('2611')).toBe(-(4785 + vatIn(14900, 25) - refund25.vatMinor));
    expect(total('2631')).toBe(-(904 - refund6.vatMinor));
    expect(total('3001') + total('3003') + total('2611') + total('2631')).toBe(-total('1580'));
    // Dated by their Stockholm day; the refund of an earlier sale on its own day.
    expect(vouchers.map((voucher) => voucher.date)).toEqual(['20261115', '20261120', '20261130']);
    expect(vouchers[1]?.text).toBe('Återbetalning R1 order EARLIER (Glase E9)');
  });

  it('writes the same figures as CSV: one row per sale and refund, refunds negative', () => {
    const rows = booksCsv(entries).trim().split('\r\n');
    expect(rows[0]).toBe(
      'kind,orderId,refundId,date (Europe/Stockholm),date (UTC),invoiceReference,paymentReference,ersReference,lines,net,vat 25%,vat 6%,gross,currency',
    );
    expect(rows[1]).toBe(
      'sale,BUNDLE1,,2026-11-15 14:00:00,2026-11-15T13:00:00.000Z,I1,P1,E1,"1 × Fika, en bok; 2 × Mugg",342.11,47.85,9.04,399.00,SEK',
    );
    expect(rows[2]?.startsWith('refund,EARLIER,R1,2026-11-20 11:00:05')).toBe(true);
    expect(rows[2]?.endsWith(',-149.00,SEK')).toBe(true);
    expect(rows[3]).toContain('"1 × Mugg ""Blå"""');
  });
});
