import { randomInt } from 'node:crypto';
import { RESULT } from './protocol.js';
import type { Bound, BoundValue } from './soap.js';

/**
 * The sandbox's books: invoices with Glase's state machine (ISSUED → PAID / CANCELED), payments,
 * refunds and the business rules behind each result code. Knows nothing of SOAP.
 */

export type SandboxInvoiceStatus = 'ISSUED' | 'PAID' | 'CANCELED' | 'FAILED';

export interface SandboxInvoice {
  readonly invoiceReference: string;
  status: SandboxInvoiceStatus;
  version: number;
  readonly clientInvoiceId: string;
  readonly title: string;
  readonly totalMinor: number;
  readonly currency: string;
  readonly notificationUrl: string;
  readonly rows: readonly Bound[];
  /** issueDate as the server understood it (a zone-less date is read in the server's zone), UTC. */
  readonly issuedAt: string;
  /** issueDate exactly as sent. */
  readonly issueDateSent: string;
  /** When the sandbox created it (and answered sendInvoice), ISO UTC. */
  readonly createdAt: string;
  ersReference?: string;
  paymentReference?: string;
  /** When the shopper paid, ISO UTC. */
  paidAt?: string;
  /** When the shop first asked for the status after the payment: the 20-second clock stops. */
  statusCheckedAt?: string;
  /** Milliseconds from sending the notification to the shop's getPaymentStatus. */
  statusDelayMs?: number;
  notification?: { statusCode: number; ms: number } | { error: string };
  reversed?: boolean;
  notifySentAt?: number;
  refundedMinor: number;
  refunds: { ersReference: string; amountMinor: number; at: string }[];
}

/** A business answer: resultCode ≠ 0. */
export class ResultCodeError extends Error {
  constructor(
    readonly code: number,
    readonly detail?: string,
  ) {
    super(detail ?? `result ${code}`);
  }
}

export class Ledger {
  readonly invoices = new Map<string, SandboxInvoice>();
  private sequence = 0;

  /** `serverOffsetMinutes`: the Java server's own zone, where it reads zone-less dates. */
  constructor(private readonly serverOffsetMinutes: number) {}

  reference(): string {
    this.sequence = (this.sequence + 1) % 1000;
    return `${Date.now()}${String(this.sequence).padStart(3, '0')}${randomInt(10)}`;
  }

  sendInvoice(invoice: Bound): SandboxInvoice {
    const fail = (detail: string) => new ResultCodeError(RESULT.INVALID_INVOICE_DATA, detail);
    for (const field of ['title', 'clientInvoiceId', 'cashierId', 'footer']) {
      if (!str(invoice[field])) throw fail(`invoice/${field} is required`);
    }
    if (invoice.paymentMode !== 'IMMEDIATE_DEBIT') throw fail('paymentMode must be IMMEDIATE_DEBIT');
    const issueDateSent = str(invoice.issueDate);
    if (!issueDateSent) throw fail('invoice/issueDate is required');
    const total = amount(invoice.totalAmount, 'totalAmount');
    const rows = (invoice.invoiceRows ?? []) as Bound[];
    if (rows.length === 0) throw fail('invoiceRows must hold at least one invoiceRow');
    let sum = 0n;
    for (const row of rows) {
      const quantity = decimal(str(row.itemQuantity) ?? '', 'itemQuantity');
      if (quantity.units < quantity.scale) throw fail('itemQuantity must be at least 1');
      const rowTotal = amount(row.itemTotalAmount, 'itemTotalAmount');
      const discount = row.itemDiscount ? amount(row.itemDiscount, 'itemDiscount') : undefined;
      for (const part of [rowTotal, discount]) {
        if (part && part.currency !== total.currency) throw fail('a row amount is in another currency');
      }
      if (row.itemUnitPrice !== undefined) {
        const unit = amount(row.itemUnitPrice, 'itemUnitPrice');
        if (unit.currency !== total.currency) throw fail('itemUnitPrice is in another currency');
        // unit × quantity − discount = total, to the nearest minor unit (quantities may be fractional).
        const gross = unit.minor * quantity.units;
        const net = (rowTotal.minor + (discount?.minor ?? 0n)) * quantity.scale;
        const difference = gross > net ? gross - net : net - gross;
        if (difference * 2n > quantity.scale)
          throw fail('itemUnitPrice × itemQuantity − itemDiscount ≠ itemTotalAmount');
      }
      sum += rowTotal.minor;
    }
    if (sum !== total.minor) throw fail('totalAmount ≠ sum of the rows');
    const notificationUrl = str(invoice.notificationUrl) ?? '';
    if (notificationUrl && !notificationUrl.startsWith('http')) {
      throw new ResultCodeError(RESULT.INVALID_NOTIFICATION_URL);
    }
    const record: SandboxInvoice = {
      invoiceReference: this.reference(),
      status: 'ISSUED',
      version: 0,
      clientInvoiceId: str(invoice.clientInvoiceId) ?? '',
      title: str(invoice.title) ?? '',
      totalMinor: Number(total.minor),
      currency: total.currency,
      notificationUrl,
      rows,
      issuedAt: this.readDate(issueDateSent),
      issueDateSent,
      createdAt: new Date().toISOString(),
      refundedMinor: 0,
      refunds: [],
    };
    this.invoices.set(record.invoiceReference, record);
    return record;
  }

  known(invoiceReference: string | undefined): SandboxInvoice {
    const invoice = this.invoices.get(invoiceReference ?? '');
    if (!invoice) throw new ResultCodeError(RESULT.INVALID_INVOICE_REFERENCE);
    return invoice;
  }

  cancelInvoice(invoiceReference: string | undefined): void {
    const invoice = this.known(invoiceReference);
    if (invoice.status === 'PAID') throw new ResultCodeError(RESULT.CANNOT_CANCEL_PAID_INVOICE);
    if (invoice.status === 'CANCELED') throw new ResultCodeError(RESULT.INVOICE_ALREADY_CANCELED);
    invoice.status = 'CANCELED';
    invoice.version += 1;
  }

  /** Glase's rules: the payment must exist (23) and refunds may not exceed it (98). */
  refundPayment(paymentReference: string | undefined, invoice: Bound | undefined): string {
    const paid = [...this.invoices.values()].find(
      (candidate) =>
        paymentReference && candidate.ersReference === paymentReference && candidate.status === 'PAID',
    );
    if (!paid) throw new ResultCodeError(RESULT.INVALID_ERS_REFERENCE);
    for (const field of ['title', 'cashierId']) {
      if (!str(invoice?.[field])) {
        throw new ResultCodeError(RESULT.INVALID_INVOICE_DATA, `invoice/${field} is required`);
      }
    }
    const refund = amount(invoice?.totalAmount, 'totalAmount');
    if (refund.currency !== paid.currency || refund.minor <= 0n) {
      throw new ResultCodeError(RESULT.INVALID_INVOICE_DATA, 'totalAmount');
    }
    if (paid.refundedMinor + Number(refund.minor) > paid.totalMinor) {
      throw new ResultCodeError(RESULT.SUM_OF_REFUNDS_CAN_NOT_BE_MORE_THAN_ORIGINAL_TRANSACTION);
    }
    const ersReference = this.reference();
    paid.refundedMinor += Number(refund.minor);
    paid.refunds.push({ ersReference, amountMinor: Number(refund.minor), at: new Date().toISOString() });
    return ersReference;
  }

  /** A date as the Java server reads it: with its zone, or in the server's own zone. */
  private readDate(value: string): string {
    const zoned = /(Z|[+-]\d{2}:\d{2})$/.test(value);
    if (zoned) return new Date(value).toISOString();
    return new Date(Date.parse(`${value}Z`) - this.serverOffsetMinutes * 60_000).toISOString();
  }

  /** An instant as the server writes it: with millis and its own offset, e.g. …T10:18:48.663+01:00. */
  serverDate(iso: string): string {
    const offset = this.serverOffsetMinutes;
    const local = new Date(Date.parse(iso) + offset * 60_000).toISOString().slice(0, 23);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }
}

export function str(value: BoundValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function decimal(text: string, field: string): { units: bigint; scale: bigint } {
  const match = /^\+?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || `${match[1]}${match[2] ?? ''}` === '') {
    throw new ResultCodeError(RESULT.INVALID_INVOICE_DATA, `${field} is not a number`);
  }
  const fraction = match[2] ?? '';
  return { units: BigInt(`${match[1] || '0'}${fraction}`), scale: 10n ** BigInt(fraction.length) };
}

function amount(value: BoundValue | undefined, field: string): { minor: bigint; currency: string } {
  const element = (typeof value === 'object' && !Array.isArray(value) ? value : {}) as Bound;
  const currency = str(element.currency) ?? '';
  const given = str(element.value);
  if (!/^[A-Z]{3}$/.test(currency) || given === undefined) {
    throw new ResultCodeError(RESULT.INVALID_INVOICE_DATA, `${field} is not an amount`);
  }
  const { units, scale } = decimal(given, field);
  if (scale > 100n)
    throw new ResultCodeError(RESULT.INVALID_INVOICE_DATA, `${field} has more than 2 decimals`);
  return { minor: (units * 100n) / scale, currency };
}
