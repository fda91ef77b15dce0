import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { GlaseUnavailableError } from '../checkout/errors.js';
import { formatMinor } from '../checkout/money.js';
import type { Invoice } from '../checkout/ports.js';

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

type XmlValue = string | number | XmlNode | XmlNode[];
export interface XmlNode {
  [element: string]: XmlValue | undefined;
}

// XML 1.0 cannot carry these code points at all, escaped or not; drop them rather than
// send Glase a document it must reject.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const builder = new XMLBuilder({ ignoreAttributes: false, processEntities: true, suppressEmptyNode: false });
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

function clean(value: XmlValue | undefined): XmlValue | undefined {
  if (typeof value === 'string') return value.replace(NOT_XML_CHAR, '');
  if (Array.isArray(value)) return value.map((node) => clean(node) as XmlNode);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, child]) => child !== undefined)
        .map(([name, child]) => [name, clean(child)]),
    ) as XmlNode;
  }
  return value;
}

const amount = (minor: number, currency: string): XmlNode => ({ value: formatMinor(minor), currency });

function contextNode(context: CallContext): XmlNode {
  return {
    channel: 'WS',
    clientId: context.clientId,
    clientReference: context.clientReference.slice(0, 32),
    clientRequestTimeout: 0,
    initiatorPrincipalId: { id: context.credentials.terminalId, type: 'TERMINALID' },
    password: context.credentials.password,
  };
}

export function invoiceNode(invoice: Invoice): XmlNode {
  return {
    paymentMode: 'IMMEDIATE_DEBIT',
    acknowledgmentMode: 'NO_ACKNOWLEDGMENT',
    // Glase's dateTime has no zone designator; we always send UTC.
    issueDate: invoice.issuedAt.toISOString().slice(0, 19),
    title: invoice.title,
    clientInvoiceId: invoice.orderId,
    invoiceRows: {
      invoiceRow: invoice.rows.map((row) => ({
        itemDescription: row.description,
        itemQuantity: row.quantity,
        itemSKU: row.sku,
        itemEAN: row.ean,
        itemTaxRate: row.taxRatePercent,
        itemUnitPrice: amount(row.unitPriceMinor, invoice.currency),
        itemTotalAmount: amount(row.totalMinor, invoice.currency),
      })),
    },
    totalAmount: amount(invoice.totalMinor, invoice.currency),
    cashierId: invoice.cashierId,
    footer: invoice.footer,
    notificationUrl: invoice.notificationUrl,
  };
}

/**
 * A SOAP 1.1 request as payment-api.md shows it: the operation element in the Payment API
 * namespace under the `ext:` prefix, its children unprefixed, `context` first.
 */
export function buildRequest(operation: Operation, context: CallContext, children: XmlNode): string {
  const envelope = {
    'soapenv:Envelope': {
      '@_xmlns:soapenv': SOAP_ENVELOPE_NS,
      '@_xmlns:ext': PAYMENT_API_NS,
      'soapenv:Header': '',
      'soapenv:Body': { [`ext:${operation}`]: { context: contextNode(context), ...children } },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(clean(envelope))}`;
}

export type ReturnFields = Record<string, unknown>;

/**
 * The `<return>` of `<{operation}Response>`, whatever prefixes Glase chose. A SOAP Fault, a
 * body that is not XML, or XML of another shape is a GlaseUnavailableError: Glase did not
 * give a Payment API answer, so nothing can be concluded from it.
 */
export function parseResponse(operation: Operation, xml: string): ReturnFields {
  if (xml.trim() === '' || XMLValidator.validate(xml) !== true) {
    throw new GlaseUnavailableError(`Glase ${operation} answered with a body that is not XML`);
  }
  const body = asRecord(asRecord(parser.parse(xml)).Envelope).Body;
  const bodyRecord = asRecord(body);
  if ('Fault' in bodyRecord) {
    throw new GlaseUnavailableError(`Glase ${operation} answered with SOAP Fault ${faultCodeOf(bodyRecord)}`);
  }
  const response = bodyRecord[`${operation}Response`];
  const fields = asRecord(asRecord(response).return);
  if (!('resultCode' in fields)) {
    throw new GlaseUnavailableError(
      `Glase ${operation} answered without a ${operation}Response/return/resultCode`,
    );
  }
  return fields;
}

/** The faultcode of a SOAP Fault, if `xml` is one. */
export function faultCode(xml: string): string | undefined {
  if (XMLValidator.validate(xml) !== true) return undefined;
  const body = asRecord(asRecord(asRecord(parser.parse(xml)).Envelope).Body);
  return 'Fault' in body ? faultCodeOf(body) : undefined;
}

function faultCodeOf(body: Record<string, unknown>): string {
  return text(asRecord(body.Fault).faultcode) ?? 'without a faultcode';
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
