/**
 * The custom metrics the functions publish (namespace and service: contract/service.ts) and the
 * alarms, the release gates and the dashboard read. A refused or failed request is also counted
 * under its error code (SOLD_OUT, GLASE_UNAVAILABLE, INTERNAL…: docs/http-api.md lists them).
 */
export const METRIC = {
  purchaseCreated: 'PurchaseCreated',
  purchaseReplayed: 'PurchaseReplayed',
  orderPaid: 'OrderPaid',
  orderCanceled: 'OrderCanceled',
  /** From API Gateway taking a notification to the order settled, in ms (Glase allows 20 s). */
  notificationToSettledMs: 'NotificationToSettledMs',
  /** A notification settled after Glase's 20 s: Glase has reversed that payment. */
  notificationLate: 'NotificationLate',
  notificationRejected: 'NotificationRejected',
  /** One Glase Payment API call's duration in ms, with the `operation` dimension. */
  glaseCallMs: 'GlaseCallMs',
  notConfigured: 'NotConfigured',
  callerAuthNotConfigured: 'CallerAuthNotConfigured',
  reconcilePaymentsCommitted: 'ReconcilePaymentsCommitted',
  reconcileInvoicesExpired: 'ReconcileInvoicesExpired',
  reconcileReservationsReleased: 'ReconcileReservationsReleased',
  reconcileErrors: 'ReconcileErrors',
  refundsPendingOverdue: 'RefundsPendingOverdue',
  /** Closed orders whose shopper data the retention period erased. */
  personalDataErased: 'PersonalDataErased',
} as const;

/**
 * What a release is judged by while CodeDeploy shifts traffic to it: counted with a `version`
 * dimension (the Lambda version that answered), so the old version's health cannot hide the
 * new one's failures.
 */
export const RELEASE_METRIC = {
  /** An answer of 500 INTERNAL: a bug. */
  internalError: 'ReleaseInternalError',
  /** A notification settled after Glase's 20 s. */
  notificationLate: 'ReleaseNotificationLate',
} as const;
export const RELEASE_VERSION_DIMENSION = 'version';

/**
 * Refusals that only a caller holding the URL key (or token) can cause: Glase sending what we
 * cannot read. A wrong key is NOT_FOUND and is not among them, so a scanner alone pages no one.
 */
export const CALLER_REFUSALS = [
  'INVALID_INPUT',
  'INVALID_JSON',
  'INVALID_ENCODING',
  'UNSUPPORTED_MEDIA_TYPE',
] as const;

/**
 * The codes a createPurchase or a notification can fail with, counted per code: the dashboard's
 * "failures by reason" (test/unit/docs.test.ts checks docs/http-api.md names no other).
 */
export const FAILURE_CODES = [
  'SOLD_OUT',
  'UNITS_HELD',
  'NOT_FOR_SALE',
  'OPEN_ORDER_LIMIT',
  'UNKNOWN_PURCHASE_TOKEN',
  'ORDER_NOT_FOUND',
  'REQUEST_IN_PROGRESS',
  'IDEMPOTENCY_KEY_REUSED',
  'INVALID_INPUT',
  'INVALID_JSON',
  'INVALID_ENCODING',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'NOT_AUTHENTICATED',
  'NOT_FOUND',
  'INVALID_SIGNATURE',
  'GLASE_REJECTED',
  'GLASE_UNAVAILABLE',
  'NOT_CONFIGURED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;
