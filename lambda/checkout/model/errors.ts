/**
 * Every failure the domain can name. Handlers map these to HTTP in one place
 * (`lambda/handlers/http-errors.ts`); anything else is an internal error and never leaks.
 */
export abstract class CheckoutError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export class InvalidInputError extends CheckoutError {
  readonly code = 'INVALID_INPUT';
  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '));
  }
}

export class UnknownPurchaseTokenError extends CheckoutError {
  readonly code = 'UNKNOWN_PURCHASE_TOKEN';
  constructor(readonly purchaseToken: string) {
    super(`no product has purchaseToken ${purchaseToken}`);
  }
}

export class SoldOutError extends CheckoutError {
  readonly code = 'SOLD_OUT';
  constructor(readonly purchaseToken: string) {
    super(`product ${purchaseToken} is sold out`);
  }
}

/** The product exists but is not on sale (an operator took it off). */
/**
 * Units are there, but as many as unpaid invoices may hold at once are held (HELD_SHARE_PERCENT):
 * they come back when those invoices are paid, declined or expire.
 */
export class UnitsHeldError extends CheckoutError {
  readonly code = 'UNITS_HELD';
  constructor(readonly purchaseToken: string) {
    super(
      `every unit of ${purchaseToken} that may be held at once is held by unpaid orders; try again in a few minutes`,
    );
  }
}

export class ProductNotForSaleError extends CheckoutError {
  readonly code = 'NOT_FOR_SALE';
  constructor(readonly purchaseToken: string) {
    super(`product ${purchaseToken} is not for sale`);
  }
}

/**
 * The same request (same body, or same Idempotency-Key) is being served right now — or was, by an
 * attempt that gave up while its reservation was still on its way to the table: either way it is
 * settled by the time its lock ends, and a retry then gets its answer or is served anew.
 */
export class RequestInProgressError extends CheckoutError {
  readonly code = 'REQUEST_IN_PROGRESS';
  constructor(
    /** Until the earlier attempt's lock ends, at least a second. */
    readonly retryAfterSeconds = 1,
  ) {
    super('an identical request is in progress; retry after the time given');
  }
}

/** An Idempotency-Key seen before, now with another body. */
export class IdempotencyKeyReusedError extends CheckoutError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super('Idempotency-Key was used with another body');
  }
}

/** The shopper already holds as many unpaid orders of this product as the shop allows. */
export class OpenOrderLimitError extends CheckoutError {
  readonly code = 'OPEN_ORDER_LIMIT';
  constructor(readonly purchaseToken: string) {
    super(`you already have an unpaid order of ${purchaseToken}: pay or decline it in the Glase app first`);
  }
}

export class OrderNotFoundError extends CheckoutError {
  readonly code = 'ORDER_NOT_FOUND';
  constructor(
    readonly orderId: string,
    /** What else was searched, when more than our order id was. */
    searched?: string,
  ) {
    super(searched ? `no order matches ${orderId} (searched ${searched})` : `no order ${orderId}`);
  }
}

/** A search term an operator gave matches more than one order: they must say which. */
export class AmbiguousOrderError extends CheckoutError {
  readonly code = 'AMBIGUOUS_ORDER';
  constructor(
    readonly term: string,
    readonly orderIds: readonly string[],
  ) {
    super(`${orderIds.length} orders match ${term}: ${orderIds.join(', ')}; give one order id`);
  }
}

/** A conditional write found the order in another state than the move requires. */
export class OrderStateConflictError extends CheckoutError {
  readonly code = 'ORDER_STATE_CONFLICT';
  constructor(
    readonly orderId: string,
    readonly wanted: string,
  ) {
    super(`order ${orderId} cannot move to ${wanted} from its current state`);
  }
}

/**
 * What a Glase refusal means to the shop, whatever result code carried it. The Glase adapter
 * (`lambda/glase/result-codes.ts`) maps codes to these; the domain never sees a number.
 */
export type GlaseRefusal =
  /** The terminal id or password is wrong, or the terminal is unknown. */
  | 'credentials'
  | 'access-denied'
  /** The invoice we sent breaks Glase's rules (currency, sums, dates). */
  | 'invalid-invoice'
  | 'invalid-notification-url'
  /** Glase does not know this invoice reference. */
  | 'unknown-invoice'
  /** Glase does not know this payment (refunds). */
  | 'unknown-payment'
  /** cancelInvoice found the invoice paid, or already cancelled: Glase's state decides. */
  | 'invoice-paid'
  | 'invoice-canceled'
  /** cancelInvoice found a payment in progress: try again later. */
  | 'invoice-in-progress'
  /** refundPayment refused for good: not allowed, or more than was paid. */
  | 'refund-not-allowed'
  | 'refund-exceeds-payment'
  /** Glase's own trouble (system error, a bank down): the same call may succeed later. */
  | 'glase-trouble'
  | 'other';

/** Glase answered, and said no. */
export class GlaseRejectedError extends CheckoutError {
  readonly code = 'GLASE_REJECTED';
  constructor(
    readonly operation: string,
    readonly refusal: GlaseRefusal,
    readonly retryable: boolean,
    /** What Glase said, for operators and logs, e.g. "INVALID_INVOICE_DATA (result 49)". */
    readonly detail: string,
    /** What it means, in the merchant's words. */
    readonly meaning: string,
  ) {
    super(`Glase refused ${operation}: ${meaning} [${detail}]`);
  }
}

export type GlaseFailureKind = 'timeout' | 'unreachable' | 'bad-response';

/** Glase could not be reached, timed out, or answered something that is not a Payment API response. */
export class GlaseUnavailableError extends CheckoutError {
  readonly code = 'GLASE_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    message: string,
    readonly kind: GlaseFailureKind = 'bad-response',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Why a request was answered "try again": the caller may repeat it as it was. */
export type UnavailableReason =
  /** Too little of the function's time was left to send an invoice and still answer. */
  | 'no-time'
  /** The invoice was sent but could not be recorded and answered in time: withdrawn, units back. */
  | 'undone'
  /** DynamoDB did not answer in time, or refused for load: nothing is half done that stays so. */
  | 'store';

/**
 * A request that could not be served now, left as if it had not been made (or undone): 503 with
 * Retry-After, never a 500. Glase and callers retry.
 */
export class ServiceUnavailableError extends CheckoutError {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    /** How long a caller should wait before the retry. */
    readonly retryAfterSeconds = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An operator asked for something the order's state or history does not allow. */
export class RefusedError extends CheckoutError {
  readonly code = 'REFUSED';
}

/**
 * Glase did not say what became of a refund (a timeout, a 5xx, an answer we cannot read): it is
 * recorded as PENDING and may have gone through, so no other refund of the order starts until
 * an operator settles it with what Glase says.
 */
export class RefundPendingError extends CheckoutError {
  readonly code = 'REFUND_PENDING';
  constructor(
    readonly orderId: string,
    readonly refundId: string,
    readonly amount: string,
    cause: Error,
  ) {
    super(
      `refund ${refundId} of ${amount} is PENDING: Glase did not say whether it went through (${cause.message}). ` +
        `Ask Glase about it, then record what they say: \`orders settle-refund ${orderId} --succeeded <Glase reference>\` ` +
        `or \`orders settle-refund ${orderId} --failed <reason>\`. No other refund of this order starts until then.`,
      { cause },
    );
  }
}
