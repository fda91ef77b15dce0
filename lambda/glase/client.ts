import { GlaseRejectedError, GlaseUnavailableError } from '../checkout/errors.js';
import type {
  Invoice,
  InvoiceStatus,
  PaymentGateway,
  PaymentStatus,
  RefundRequest,
  StatusQuery,
} from '../checkout/ports.js';
import { INVOICE_STATUSES } from '../checkout/ports.js';
import {
  buildRequest,
  type CallContext,
  faultCode,
  invoiceChildren,
  normalizeDateTime,
  type Operation,
  parseResponse,
  type ReturnFields,
  refundInvoiceChildren,
  type TerminalCredentials,
} from './envelope.js';
import { rejection } from './result-codes.js';
import { type RetryPolicy, type RetryTiming, withRetries } from './retry.js';
import { asRecord, text, type XmlChild } from './xml.js';

/** A Payment API answer is a few KiB; anything this large is not one, and must not fill memory. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

export interface GlaseClientOptions {
  /** The Payment API endpoint, e.g. the sandbox's `http://127.0.0.1:8081/soap`. */
  readonly url: string;
  /** Fetched per call so a rotated secret is picked up; the caller caches. */
  readonly credentials: () => Promise<TerminalCredentials>;
  readonly clientId: string;
  /** Per-attempt timeout. */
  readonly timeoutMs: number;
  readonly maxResponseBytes?: number;
  /** Backoff between repeated attempts; tests inject time here. */
  readonly retryTiming?: Omit<RetryTiming, 'attemptTimeoutMs'>;
  /** Counts calls for the round-trip figures; never sees the body. */
  readonly onCall?: (operation: Operation) => void;
  /** The HTTP client; tests hand in their own. */
  readonly fetch?: typeof fetch;
}

/** Glase's Payment API over SOAP 1.1, for the domain's PaymentGateway port. */
export class GlaseClient implements PaymentGateway {
  constructor(private readonly options: GlaseClientOptions) {}

  async sendInvoice(invoice: Invoice, budget: RetryPolicy = {}): Promise<{ invoiceReference: string }> {
    // Never repeated: a sendInvoice whose answer was lost may still have created an invoice.
    // With a deadline, its one attempt ends by it.
    const timeoutMs = Math.floor(
      Math.min(this.options.timeoutMs, (budget.deadline ?? Infinity) - Date.now()),
    );
    if (timeoutMs <= 0) throw new GlaseUnavailableError('no time left to call Glase sendInvoice', 'timeout');
    const fields = await this.callOnce(
      'sendInvoice',
      invoice.orderId,
      [['invoice', invoiceChildren(invoice)]],
      timeoutMs,
    );
    const invoiceReference = text(fields.invoiceReference);
    if (!invoiceReference || !/^\d+$/.test(invoiceReference)) {
      throw new GlaseUnavailableError(
        'Glase sendInvoice answered success without a numeric invoiceReference',
      );
    }
    return { invoiceReference };
  }

  async getPaymentStatus(query: StatusQuery, policy: RetryPolicy = {}): Promise<PaymentStatus> {
    const fields = await this.repeatable('getPaymentStatus', query.orderId, policy, [
      ['invoiceReference', query.invoiceReference],
      ['invoiceVersion', query.invoiceVersion],
    ]);
    const status = text(fields.status);
    if (!isInvoiceStatus(status)) {
      throw new GlaseUnavailableError(`Glase getPaymentStatus answered an unknown status "${status ?? ''}"`);
    }
    const version = Number(text(fields.version));
    const receipt = asRecord(fields.receipt);
    return {
      status,
      version: Number.isSafeInteger(version) && version >= 0 ? version : query.invoiceVersion,
      ersReference: text(fields.ersReference),
      paymentReference: text(receipt.paymentReference),
      paidAt: normalizeDateTime(text(receipt.paymentDate)),
    };
  }

  async cancelInvoice(orderId: string, invoiceReference: string, policy: RetryPolicy = {}): Promise<void> {
    await this.repeatable('cancelInvoice', orderId, policy, [['invoiceReference', invoiceReference]]);
  }

  async refundPayment(refund: RefundRequest): Promise<{ ersReference: string }> {
    // Never repeated: without an answer we cannot know whether money moved.
    const fields = await this.callOnce('refundPayment', refund.refundId, [
      ['ersReference', refund.paymentErsReference],
      ['invoice', refundInvoiceChildren(refund)],
    ]);
    const ersReference = text(fields.ersReference);
    if (!ersReference)
      throw new GlaseUnavailableError('Glase refundPayment answered success without an ersReference');
    return { ersReference };
  }

  /** Calls that change nothing if repeated: retried while Glase is only unavailable or busy. */
  private repeatable(
    operation: Operation,
    clientReference: string,
    policy: RetryPolicy,
    children: XmlChild[],
  ): Promise<ReturnFields> {
    return withRetries(
      (timeoutMs) => this.callOnce(operation, clientReference, children, timeoutMs),
      isRetryable,
      policy,
      { ...this.options.retryTiming, attemptTimeoutMs: this.options.timeoutMs },
    );
  }

  private async callOnce(
    operation: Operation,
    clientReference: string,
    children: XmlChild[],
    timeoutMs = this.options.timeoutMs,
  ): Promise<ReturnFields> {
    const context: CallContext = {
      clientId: this.options.clientId,
      clientReference,
      credentials: await this.options.credentials(),
    };
    const body = buildRequest(operation, context, children);
    this.options.onCall?.(operation);
    let xml: string;
    let httpStatus: number;
    try {
      const response = await (this.options.fetch ?? fetch)(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
        body,
        // A redirect would re-post the terminal password to whatever host it names.
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      httpStatus = response.status;
      xml = await readCapped(response, this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES);
    } catch (error) {
      throw transportFailure(operation, error, timeoutMs);
    }
    if (httpStatus < 200 || httpStatus > 299) {
      const fault = faultCode(xml, operation);
      throw new GlaseUnavailableError(
        `Glase ${operation} answered HTTP ${httpStatus}${fault ? ` with SOAP Fault ${fault}` : ''}`,
      );
    }
    const fields = parseResponse(operation, xml);
    const resultCode = Number(text(fields.resultCode));
    if (!Number.isInteger(resultCode)) {
      throw new GlaseUnavailableError(`Glase ${operation} answered a resultCode that is not a number`);
    }
    if (resultCode !== 0) throw rejection(operation, resultCode, text(fields.resultDescription) ?? '');
    return fields;
  }
}

class ResponseTooLarge extends Error {}
class ResponseNotUtf8 extends Error {}

/** Reads the body as UTF-8, giving up as soon as it exceeds `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ResponseTooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ResponseNotUtf8();
  }
}

function transportFailure(operation: Operation, error: unknown, timeoutMs: number): GlaseUnavailableError {
  if (error instanceof ResponseTooLarge) {
    return new GlaseUnavailableError(`Glase ${operation} answered with more than we read; refused`);
  }
  if (error instanceof ResponseNotUtf8) {
    return new GlaseUnavailableError(`Glase ${operation} answered with a body that is not UTF-8`);
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new GlaseUnavailableError(`Glase ${operation} did not answer within ${timeoutMs} ms`, 'timeout');
  }
  const cause = networkCause(error);
  if (cause === 'redirect') {
    // Never followed: the request carries the terminal password.
    return new GlaseUnavailableError(`Glase ${operation} answered with a redirect, which is never followed`);
  }
  // The cause is kept for our logs; the message never carries the request (it holds the password).
  return new GlaseUnavailableError(`Glase ${operation} could not be reached`, 'unreachable', { cause });
}

/** Duck-typed: fetch's errors may come from another realm, where `instanceof Error` is false. */
function networkCause(error: unknown): string {
  const { name, cause } = (error ?? {}) as { name?: string; cause?: { code?: string; message?: string } };
  if (cause?.message?.includes('redirect')) return 'redirect';
  return cause?.code ?? name ?? 'unknown';
}

function isRetryable(error: unknown): boolean {
  return error instanceof GlaseUnavailableError || (error instanceof GlaseRejectedError && error.retryable);
}

function isInvoiceStatus(value: string | undefined): value is InvoiceStatus {
  return (INVOICE_STATUSES as readonly string[]).includes(value ?? '');
}
