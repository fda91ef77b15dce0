import { GlaseUnavailableError } from '../checkout/model/errors.js';
import type { Invoice, InvoiceRow } from '../checkout/model/invoice.js';
import { formatMinor } from '../checkout/model/money.js';
import { asRecord, element, readXml, text, UnreadableXmlError, type XmlChild } from './xml.js';

/**
 * The Payment API's SOAP 1.1 envelopes, exactly as `schema/payment-api.xsd` (from SEQR's own
 * WSDL, docs/glase/wire-schema.md) has them: every element in its xs:sequence order, amounts
 * `currency` then `value`, dates with a zone, nothing the WSDL lacks.
 */
export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const PAYMENT_API_NS = 'http://external.interfaces.ers.seamless.com/';

export type Operation = 'sendInvoice' | 'getPaymentStatus' | 'cancelInvoice' | 'refundPayment';

export interface TerminalCredentials {
  readonly terminalId: string;
  readonly password: string;
}

export interface CallContext {
  readonly clientId: string;
  /** Glase's troubleshooting reference (≤ 32 chars): the order id. */
  readonly clientReference: string;
  readonly credentials: TerminalCredentials;
}

/** Glase's dateTime: UTC with its zone. A zone-less date is read in the Java server's own zone. */
export function xsDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const XS_DATE_TIME = /^(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A date Glase sent (`2015-10-29T10:18:48.663+01:00`, whatever the offset) as the one form we
 * store: ISO-8601 UTC with milliseconds. Glase always sends a zone; should one be missing, UTC.
 */
export function normalizeDateTime(value: string | undefined): string | undefined {
  const match = XS_DATE_TIME.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [, dateTime, fraction = '', zone = 'Z'] = match;
  const time = Date.parse(`${dateTime}.${fraction.padEnd(3, '0').slice(0, 3)}${zone}`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

const amount = (minor: number, currency: string): XmlChild[] => [
  ['currency', currency],
  ['value', formatMinor(minor)],
];

function contextChildren(context: CallContext): XmlChild[] {
  return [
    ['channel', 'WS'],
    ['clientId', context.clientId],
    ['clientReference', context.clientReference.slice(0, 32)],
    ['clientRequestTimeout', 0],
    [
      'initiatorPrincipalId',
      [
        ['id', context.credentials.terminalId],
        ['type', 'TERMINALID'],
      ],
    ],
    ['password', context.credentials.password],
  ];
}

function rowChildren(row: InvoiceRow, currency: string): XmlChild[] {
  return [
    ['itemDescription', row.description],
    ['itemDiscount', row.discountMinor ? amount(row.discountMinor, currency) : undefined],
    ['itemEAN', row.ean],
    ['itemQuantity', row.quantity],
    ['itemSKU', row.sku],
    ['itemTaxRate', row.taxRatePercent],
    ['itemTotalAmount', amount(row.totalMinor, currency)],
    ['itemUnitPrice', amount(row.unitPriceMinor, currency)],
  ];
}

export function invoiceChildren(invoice: Invoice): XmlChild[] {
  return [
    ['paymentMode', 'IMMEDIATE_DEBIT'],
    ['acknowledgmentMode', 'NO_ACKNOWLEDGMENT'],
    ['issueDate', xsDateTime(invoice.issuedAt)],
    ['title', invoice.title],
    ['clientInvoiceId', invoice.orderId],
    ['invoiceRows', invoice.rows.map((row): XmlChild => ['invoiceRow', rowChildren(row, invoice.currency)])],
    ['totalAmount', amount(invoice.totalMinor, invoice.currency)],
    ['cashierId', invoice.cashierId],
    ['footer', invoice.footer],
    ['notificationUrl', invoice.notificationUrl],
  ];
}

/** The refund's `invoice`: the same type, only the fields a refund uses, in the same order. */
export function refundInvoiceChildren(refund: {
  title: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  cashierId: string;
}): XmlChild[] {
  return [
    ['title', refund.title],
    ['clientInvoiceId', refund.orderId],
    ['totalAmount', amount(refund.amountMinor, refund.currency)],
    ['cashierId', refund.cashierId],
  ];
}

/**
 * A request envelope: the operation element in the Payment API namespace under `ext:`, its
 * children unprefixed with no default namespace in scope (so in no namespace), `context` first.
 */
export function buildRequest(
  operation: Operation,
  context: CallContext,
  children: readonly XmlChild[],
): string {
  const body = element(`ext:${operation}`, [['context', contextChildren(context)], ...children]);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NS}" xmlns:ext="${PAYMENT_API_NS}">` +
    `<soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}

export type ReturnFields = Record<string, unknown>;

/**
 * The `<return>` of `<{operation}Response>`, whatever prefixes Glase chose. A SOAP Fault, a body
 * that is not XML, a DOCTYPE, or XML of another shape is a GlaseUnavailableError: Glase did not
 * give a Payment API answer, so nothing can be concluded from it.
 */
export function parseResponse(operation: Operation, xml: string): ReturnFields {
  const body = soapBody(operation, xml);
  if ('Fault' in body) {
    throw new GlaseUnavailableError(`Glase ${operation} answered with SOAP Fault ${faultCodeOf(body)}`);
  }
  const fields = asRecord(asRecord(body[`${operation}Response`]).return);
  if (!('resultCode' in fields)) {
    throw new GlaseUnavailableError(
      `Glase ${operation} answered without a ${operation}Response/return/resultCode`,
    );
  }
  return fields;
}

/** The faultcode of a SOAP Fault, if `xml` is a readable one. */
export function faultCode(xml: string, operation: Operation): string | undefined {
  try {
    const body = soapBody(operation, xml);
    return 'Fault' in body ? faultCodeOf(body) : undefined;
  } catch {
    return undefined;
  }
}

function soapBody(operation: Operation, xml: string): Record<string, unknown> {
  try {
    return asRecord(asRecord(asRecord(readXml(xml)).Envelope).Body);
  } catch (error) {
    if (!(error instanceof UnreadableXmlError)) throw error;
    throw new GlaseUnavailableError(`Glase ${operation} answered with a body we refuse: ${error.message}`);
  }
}

function faultCodeOf(body: Record<string, unknown>): string {
  return text(asRecord(body.Fault).faultcode) ?? 'without a faultcode';
}
