import { formatMinor, sumMinor } from '../model/money.js';
import { linesOf, type Order } from '../model/order.js';
import { byRate, type RateShare, spreadOverRates } from '../model/vat.js';

/**
 * What the books need of the shop, period by period: every sale (a payment Glase confirmed) and
 * every refund (one Glase confirmed), each with its VAT per rate taken out of VAT-inclusive
 * prices. Bokföringslagen wants each in the books and kept seven years; the CSV and SIE files
 * are how it gets there.
 */
export interface BookEntry {
  readonly kind: 'sale' | 'refund';
  readonly orderId: string;
  readonly refundId?: string | undefined;
  /** When the money moved (UTC): paid, or the refund confirmed. */
  readonly at: string;
  readonly invoiceReference?: string | undefined;
  readonly paymentReference?: string | undefined;
  readonly ersReference?: string | undefined;
  readonly currency: string;
  readonly lines: readonly {
    description: string;
    quantity: number;
    totalMinor: number;
    taxRatePercent: number;
  }[];
  /** Per VAT rate, as positive amounts; a refund is booked the other way round. */
  readonly rates: readonly RateShare[];
  readonly grossMinor: number;
}

/** Sales paid and refunds confirmed within [from, to), oldest first. */
export function bookEntries(orders: readonly Order[], period: { from: Date; to: Date }): BookEntry[] {
  // Glase's times may carry an offset (`+01:00`) or none: compared as instants, never as text.
  const inPeriod = (at: string | undefined) => {
    const time = at === undefined ? Number.NaN : Date.parse(at);
    return time >= period.from.getTime() && time < period.to.getTime();
  };
  const entries: BookEntry[] = [];
  for (const order of orders) {
    const lines = linesOf(order).map(({ description, quantity, totalMinor, taxRatePercent }) => ({
      description,
      quantity,
      totalMinor,
      taxRatePercent,
    }));
    const sale = byRate(lines);
    const references = {
      invoiceReference: order.invoiceReference,
      paymentReference: order.paymentReference,
    };
    if (order.paidAt && inPeriod(order.paidAt)) {
      entries.push({
        kind: 'sale',
        orderId: order.orderId,
        at: order.paidAt,
        ...references,
        ersReference: order.ersReference,
        currency: order.currency,
        lines,
        rates: sale,
        grossMinor: order.totalMinor,
      });
    }
    for (const refund of order.refunds ?? []) {
      if (refund.status !== 'SUCCEEDED' || !inPeriod(refund.completedAt)) continue;
      entries.push({
        kind: 'refund',
        orderId: order.orderId,
        refundId: refund.refundId,
        at: refund.completedAt as string,
        ...references,
        ersReference: refund.ersReference,
        currency: order.currency,
        lines,
        rates: spreadOverRates(refund.amountMinor, sale),
        grossMinor: refund.amountMinor,
      });
    }
  }
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.orderId.localeCompare(b.orderId));
}

/** A day and time in Stockholm, `2026-12-01 14:03:00`, for people and Swedish books. */
export function stockholmTime(at: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Stockholm',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(at))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * One row per sale and per refund (refunds negative), with the net, the VAT of each rate that
 * occurs and the gross: RFC 4180, `.` as the decimal sign, times in Stockholm and UTC.
 */
export function booksCsv(entries: readonly BookEntry[]): string {
  const rates = [...new Set(entries.flatMap((entry) => entry.rates.map((rate) => rate.ratePercent)))].sort(
    (a, b) => b - a,
  );
  const header = [
    'kind',
    'orderId',
    'refundId',
    'date (Europe/Stockholm)',
    'date (UTC)',
    'invoiceReference',
    'paymentReference',
    'ersReference',
    'lines',
    'net',
    ...rates.map((rate) => `vat ${rate}%`),
    'gross',
    'currency',
  ];
  const rows = entries.map((entry) => {
    const sign = entry.kind === 'refund' ? -1 : 1;
    const vatAt = (rate: number) => entry.rates.find((share) => share.ratePercent === rate)?.vatMinor ?? 0;
    return [
      entry.kind,
      entry.orderId,
      entry.refundId ?? '',
      stockholmTime(entry.at),
      entry.at,
      entry.invoiceReference ?? '',
      entry.paymentReference ?? '',
      entry.ersReference ?? '',
      entry.lines.map((line) => `${line.quantity} × ${line.description}`).join('; '),
      formatMinor(sign * sumMinor(entry.rates.map((rate) => rate.netMinor))),
      ...rates.map((rate) => formatMinor(sign * vatAt(rate))),
      formatMinor(sign * entry.grossMinor),
      entry.currency,
    ];
  });
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** Which accounts the vouchers use: BAS by default, each overridable (BOOKKEEPING_ACCOUNTS). */
export interface Accounts {
  /** What Glase owes the shop for a payment until it settles (BAS 1580). */
  readonly receivable: string;
  /** Sales, per VAT rate (BAS 3001 25 %, 3002 12 %, 3003 6 %, 3004 exempt). */
  readonly sales: Readonly<Record<string, string>>;
  /** Output VAT, per rate (BAS 2611 25 %, 2621 12 %, 2631 6 %). */
  readonly vat: Readonly<Record<string, string>>;
}

export const BAS_ACCOUNTS: Accounts = {
  receivable: '1580',
  sales: { 25: '3001', 12: '3002', 6: '3003', 0: '3004' },
  vat: { 25: '2611', 12: '2621', 6: '2631' },
};

const ACCOUNT_NAMES: Record<string, string> = {
  '1580': 'Fordran Glase (kortinlösen)',
  '3001': 'Försäljning inom Sverige, 25 % moms',
  '3002': 'Försäljning inom Sverige, 12 % moms',
  '3003': 'Försäljning inom Sverige, 6 % moms',
  '3004': 'Försäljning inom Sverige, momsfri',
  '2611': 'Utgående moms på försäljning inom Sverige, 25 %',
  '2621': 'Utgående moms på försäljning inom Sverige, 12 %',
  '2631': 'Utgående moms på försäljning inom Sverige, 6 %',
};

export interface SieCompany {
  readonly orgNumber?: string | undefined;
  readonly name?: string | undefined;
  readonly accounts: Accounts;
  readonly generatedAt: Date;
  readonly program: { readonly name: string; readonly version: string };
}

/** A voucher's rows: account and amount (debit positive, credit negative); they sum to zero. */
export function voucherRows(
  entry: BookEntry,
  accounts: Accounts,
): { account: string; amountMinor: number }[] {
  const sign = entry.kind === 'sale' ? 1 : -1;
  const rows = [{ account: accounts.receivable, amountMinor: sign * entry.grossMinor }];
  for (const rate of entry.rates) {
    const sales = accountFor(accounts.sales, rate.ratePercent, 'sales');
    rows.push({ account: sales, amountMinor: -sign * rate.netMinor });
    if (rate.vatMinor !== 0) {
      rows.push({
        account: accountFor(accounts.vat, rate.ratePercent, 'vat'),
        amountMinor: -sign * rate.vatMinor,
      });
    }
  }
  return rows;
}

function accountFor(table: Readonly<Record<string, string>>, rate: number, kind: string): string {
  const account = table[String(rate)];
  if (!account) throw new RangeError(`no ${kind} account for ${rate} % VAT: add it to BOOKKEEPING_ACCOUNTS`);
  return account;
}

const sieText = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const sieDate = (at: string) => stockholmTime(at).slice(0, 10).replace(/-/g, '');

/**
 * SIE 4 (typ 4: vouchers), as Fortnox, Visma and other Swedish accounting programs import it:
 * one `#VER` per sale and per refund, dated by its Stockholm day, its `#TRANS` rows balancing to
 * zero. The text is to be written in PC8 (IBM code page 437), as `#FORMAT PC8` says.
 */
export function sie4(entries: readonly BookEntry[], company: SieCompany): string {
  const vouchers = entries.map((entry) => ({ entry, rows: voucherRows(entry, company.accounts) }));
  const used = [...new Set(vouchers.flatMap((voucher) => voucher.rows.map((row) => row.account)))].sort();
  const lines = [
    '#FLAGGA 0',
    `#PROGRAM ${sieText(company.program.name)} ${company.program.version}`,
    '#FORMAT PC8',
    `#GEN ${sieDate(company.generatedAt.toISOString())}`,
    '#SIETYP 4',
    ...(company.orgNumber ? [`#ORGNR ${company.orgNumber}`] : []),
    ...(company.name ? [`#FNAMN ${sieText(company.name)}`] : []),
    ...used.map((account) => `#KONTO ${account} ${sieText(ACCOUNT_NAMES[account] ?? `Konto ${account}`)}`),
  ];
  vouchers.forEach(({ entry, rows }, index) => {
    const what =
      entry.kind === 'sale'
        ? `Försäljning order ${entry.orderId} (Glase ${entry.paymentReference ?? entry.invoiceReference ?? ''})`
        : `Återbetalning ${entry.refundId} order ${entry.orderId} (Glase ${entry.ersReference ?? ''})`;
    lines.push(`#VER "A" ${index + 1} ${sieDate(entry.at)} ${sieText(what)}`, '{');
    for (const row of rows) lines.push(`   #TRANS ${row.account} {} ${formatMinor(row.amountMinor)}`);
    lines.push('}');
  });
  return `${lines.join('\r\n')}\r\n`;
}
