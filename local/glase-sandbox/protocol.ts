/**
 * The sandbox's own copy of Glase's Payment API protocol, written from docs/glase/wire-schema.md
 * and never imported from `lambda/glase/`: the sandbox checks our client, so a typo there must
 * not be mirrored here.
 */
export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
export const ERS_NS = 'http://external.interfaces.ers.seamless.com/';

export const RESULT = {
  SUCCESS: 0,
  AUTHENTICATION_FAILED: 20,
  ACCESS_DENIED: 21,
  INVALID_ERS_REFERENCE: 23,
  INVALID_INITIATOR_PRINCIPAL_ID: 29,
  INVALID_INVOICE_DATA: 49,
  CANNOT_CANCEL_PAID_INVOICE: 50,
  CANNOT_CANCEL_INVOICE_IN_PROGRESS: 51,
  INVALID_INVOICE_REFERENCE: 54,
  INVALID_NOTIFICATION_URL: 64,
  SYSTEM_ERROR: 90,
  UNSUPPORTED_OPERATION: 91,
  SERVICE_UNAVAILABLE: 94,
  INVOICE_ALREADY_CANCELED: 95,
  SUM_OF_REFUNDS_CAN_NOT_BE_MORE_THAN_ORIGINAL_TRANSACTION: 98,
} as const;

export function resultName(code: number): string {
  return Object.entries(RESULT).find(([, value]) => value === code)?.[0] ?? `RESULT_${code}`;
}

export const ENUMS = {
  paymentMode: ['IMMEDIATE_DEBIT', 'RESERVATION_DESIRED', 'RESERVATION_REQUIRED'],
  acknowledgmentMode: ['NO_ACKNOWLEDGMENT', 'OPTIONAL_ACKNOWLEDGMENT', 'REQUIRE_ACKNOWLEDGMENT'],
  invoiceStatus: ['ISSUED', 'PAID', 'PENDING_ISSUER_ACKNOWLEDGE', 'CANCELED', 'FAILED', 'RESERVED'],
} as const;

export type LeafType = 'string' | 'int' | 'long' | 'decimal' | 'dateTime' | keyof typeof ENUMS;
export type ComplexType =
  | 'clientContext'
  | 'principalId'
  | 'invoice'
  | 'paymentInvoiceRow'
  | 'amount'
  | 'customerToken'
  | 'receipt'
  | 'erswsResponse'
  | 'erswsSendInvoiceResponse'
  | 'erswsPaymentStatusResponse'
  | OperationName;

export interface Field {
  readonly name: string;
  readonly type: LeafType | ComplexType;
  /** maxOccurs="unbounded" directly in the sequence. */
  readonly many?: boolean;
  /** A wrapper element holding 0..n elements of this name (invoiceRows/invoiceRow). */
  readonly item?: string;
  /** minOccurs="1": always written in answers. */
  readonly required?: boolean;
}

const f = (name: string, type: Field['type'], extra: Partial<Field> = {}): Field => ({
  name,
  type,
  ...extra,
});
const RESPONSE_BASE = [
  f('ersReference', 'string'),
  f('resultCode', 'int', { required: true }),
  f('resultDescription', 'string'),
];

/** Every complex type, its fields in xs:sequence order. */
export const TYPES: Readonly<Record<ComplexType, readonly Field[]>> = {
  clientContext: [
    f('channel', 'string'),
    f('clientComment', 'string'),
    f('clientId', 'string'),
    f('clientReference', 'string'),
    f('clientRequestTimeout', 'long', { required: true }),
    f('initiatorPrincipalId', 'principalId'),
    f('password', 'string'),
  ],
  principalId: [f('id', 'string'), f('type', 'string'), f('userId', 'string')],
  invoice: [
    f('paymentMode', 'paymentMode'),
    f('acknowledgmentMode', 'acknowledgmentMode'),
    f('issueDate', 'dateTime'),
    f('title', 'string'),
    f('clientInvoiceId', 'string'),
    f('invoiceRows', 'paymentInvoiceRow', { item: 'invoiceRow' }),
    f('totalAmount', 'amount'),
    f('cashierId', 'string'),
    f('footer', 'string'),
    f('backURL', 'string'),
    f('notificationUrl', 'string'),
  ],
  paymentInvoiceRow: [
    f('itemDescription', 'string'),
    f('itemDiscount', 'amount'),
    f('itemEAN', 'string'),
    f('itemQuantity', 'decimal'),
    f('itemSKU', 'string'),
    f('itemTaxRate', 'decimal'),
    f('itemTotalAmount', 'amount'),
    f('itemUnit', 'string'),
    f('itemUnitPrice', 'amount'),
  ],
  amount: [f('currency', 'string'), f('value', 'decimal')],
  customerToken: [
    f('description', 'string'),
    f('id', 'string'),
    f('status', 'int', { required: true }),
    f('value', 'string'),
  ],
  receipt: [
    f('terminalId', 'string'),
    f('paymentDate', 'dateTime'),
    f('clientInvoiceId', 'string'),
    f('invoiceReference', 'string'),
    f('paymentReference', 'string'),
    f('payerTerminalId', 'string'),
    f('receiverName', 'string'),
    f('invoice', 'invoice'),
  ],
  erswsResponse: RESPONSE_BASE,
  erswsSendInvoiceResponse: [...RESPONSE_BASE, f('invoiceQRCode', 'string'), f('invoiceReference', 'string')],
  erswsPaymentStatusResponse: [
    ...RESPONSE_BASE,
    f('status', 'invoiceStatus'),
    f('receipt', 'receipt'),
    f('customerTokens', 'customerToken', { item: 'token' }),
    f('version', 'int', { required: true }),
  ],
  sendInvoice: [
    f('context', 'clientContext'),
    f('invoice', 'invoice'),
    f('tokens', 'customerToken', { many: true }),
  ],
  getPaymentStatus: [
    f('context', 'clientContext'),
    f('invoiceReference', 'string'),
    f('invoiceVersion', 'int', { required: true }),
  ],
  cancelInvoice: [f('context', 'clientContext'), f('invoiceReference', 'string')],
  refundPayment: [f('context', 'clientContext'), f('ersReference', 'string'), f('invoice', 'invoice')],
};

/** The four operations the sandbox serves, and the type of each one's `return`. */
export const OPERATIONS = {
  sendInvoice: 'erswsSendInvoiceResponse',
  getPaymentStatus: 'erswsPaymentStatusResponse',
  cancelInvoice: 'erswsResponse',
  refundPayment: 'erswsResponse',
} as const;

export type OperationName = 'sendInvoice' | 'getPaymentStatus' | 'cancelInvoice' | 'refundPayment';

export function isOperation(name: string): name is OperationName {
  return Object.hasOwn(OPERATIONS, name);
}
