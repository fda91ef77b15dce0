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

export class NotAuthenticatedError extends CheckoutError {
  readonly code = 'NOT_AUTHENTICATED';
  constructor(message = 'caller is not authenticated') {
    super(message);
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

export class OrderNotFoundError extends CheckoutError {
  readonly code = 'ORDER_NOT_FOUND';
  constructor(readonly orderId: string) {
    super(`no order ${orderId}`);
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

/** Glase answered, and said no (a non-zero resultCode). */
export class GlaseRejectedError extends CheckoutError {
  readonly code = 'GLASE_REJECTED';
  constructor(
    readonly operation: string,
    readonly resultCode: number,
    readonly resultDescription: string,
  ) {
    super(`Glase ${operation} answered ${resultCode} ${resultDescription}`);
  }
  /** 90 SYSTEM_ERROR and 94 SERVICE_UNAVAILABLE are Glase's own trouble; the same call may succeed later. */
  get retryable(): boolean {
    return this.resultCode === 90 || this.resultCode === 94;
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

/** An operator asked for something the order's state or history does not allow. */
export class RefusedError extends CheckoutError {
  readonly code = 'REFUSED';
}
