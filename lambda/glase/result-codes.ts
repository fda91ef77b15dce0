import { type GlaseRefusal, GlaseRejectedError } from '../checkout/model/errors.js';

interface ResultCode {
  readonly name: string;
  readonly refusal: GlaseRefusal;
  /** The same call may succeed later (Glase's own trouble, or a payment still in progress). */
  readonly retryable: boolean;
  /** What it means for the shop. */
  readonly meaning: string;
}

/**
 * Every Payment API result code this project can meet (payment-api.md, "Result codes"), in
 * one table: the rest of the code speaks of what a refusal means, never of its number.
 */
export const RESULT_CODES: Readonly<Record<number, ResultCode>> = {
  20: {
    name: 'AUTHENTICATION_FAILED',
    refusal: 'credentials',
    retryable: false,
    meaning: 'the terminal password is wrong',
  },
  21: { name: 'ACCESS_DENIED', refusal: 'access-denied', retryable: false, meaning: 'access denied' },
  23: {
    name: 'INVALID_ERS_REFERENCE',
    refusal: 'unknown-payment',
    retryable: false,
    meaning: 'Glase does not know the payment',
  },
  29: {
    name: 'INVALID_INITIATOR_PRINCIPAL_ID',
    refusal: 'credentials',
    retryable: false,
    meaning: 'Glase does not know the terminal id',
  },
  37: {
    name: 'INITIATOR_PRINCIPAL_NOT_FOUND',
    refusal: 'credentials',
    retryable: false,
    meaning: 'Glase does not know the terminal id',
  },
  49: {
    name: 'INVALID_INVOICE_DATA',
    refusal: 'invalid-invoice',
    retryable: false,
    meaning: 'the invoice breaks Glase’s rules',
  },
  50: {
    name: 'CANNOT_CANCEL_PAID_INVOICE',
    refusal: 'invoice-paid',
    retryable: false,
    meaning: 'the invoice is already paid',
  },
  51: {
    name: 'CANNOT_CANCEL_INVOICE_IN_PROGRESS',
    refusal: 'invoice-in-progress',
    retryable: true,
    meaning: 'a payment of the invoice is in progress',
  },
  54: {
    name: 'INVALID_INVOICE_REFERENCE',
    refusal: 'unknown-invoice',
    retryable: false,
    meaning: 'Glase does not know the invoice',
  },
  64: {
    name: 'INVALID_NOTIFICATION_URL',
    refusal: 'invalid-notification-url',
    retryable: false,
    meaning: 'the notification URL is not an http(s) URL',
  },
  90: {
    name: 'SYSTEM_ERROR',
    refusal: 'glase-trouble',
    retryable: true,
    meaning: 'Glase had a system error',
  },
  91: {
    name: 'UNSUPPORTED_OPERATION',
    refusal: 'other',
    retryable: false,
    meaning: 'Glase does not support the operation',
  },
  94: {
    name: 'SERVICE_UNAVAILABLE',
    refusal: 'glase-trouble',
    retryable: true,
    meaning: 'a service behind Glase (such as a bank) is down',
  },
  95: {
    name: 'INVOICE_ALREADY_CANCELED',
    refusal: 'invoice-canceled',
    retryable: false,
    meaning: 'the invoice is already cancelled',
  },
  96: {
    name: 'INVOICE_STATE_NOT_RESERVED',
    refusal: 'other',
    retryable: false,
    meaning: 'the invoice is not reserved',
  },
  97: {
    name: 'RESELLER_NOT_ALLOWED_TO_DO_REFUND',
    refusal: 'refund-not-allowed',
    retryable: false,
    meaning: 'this terminal is not allowed to refund',
  },
  98: {
    name: 'SUM_OF_REFUNDS_CAN_NOT_BE_MORE_THAN_ORIGINAL_TRANSACTION',
    refusal: 'refund-exceeds-payment',
    retryable: false,
    meaning: 'the refunds would exceed the original payment',
  },
  99: {
    name: 'RECEIVER_ACCOUNT_DOES_NOT_ALLOW_REFUNDS',
    refusal: 'refund-not-allowed',
    retryable: false,
    meaning: 'the receiving account does not allow refunds',
  },
};

/** A non-zero resultCode as the domain error that says what it means. */
export function rejection(operation: string, resultCode: number, description: string): GlaseRejectedError {
  const known = RESULT_CODES[resultCode];
  const name = known?.name ?? (description.trim() || 'UNKNOWN');
  return new GlaseRejectedError(
    operation,
    known?.refusal ?? 'other',
    known?.retryable ?? false,
    `${name} (result ${resultCode})`,
    known?.meaning ?? 'Glase said no',
  );
}
