import { isUtf8 } from 'node:buffer';
import { GlaseRejectedError, GlaseUnavailableError } from '../checkout/model/errors.js';
import {
  INVOICE_STATUSES,
  type Invoice,
  type InvoiceStatus,
  type PaymentStatus,
  type RefundRequest,
  type StatusQuery,
} from '../checkout/model/invoice.js';
import type { PaymentGateway } from '../checkout/ports.js';
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
import {
  type HttpAnswer,
  type HttpExchange,
  HttpTimeoutError,
  httpExchange,
  ResponseTooLargeError,
} from './http.js';
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
  /** Each exchange's duration and whether it got an HTTP answer at all (for the latency metric). */
  readonly onExchanged?: (operation: Operation, elapsedMs: number, answered: boolean) => void;
  /** The HTTP exchange; tests hand in their own. */
  readonly exchange?: HttpExchange;
}

/** Glase's Payment API over SOAP 1.1, for the domain's PaymentGateway port. */
export class GlaseClient implements PaymentGateway {
  constructor(private readonly options: GlaseClientOptions) {}

  async sendInvoice(
    invoice: Invoice,
    budget: RetryPolicy & { readonly patienceMs?: number | undefined } = {},
  ): Promise<{ invoiceReference: string }> {
    // Never repeated: a sendInvoice whose answer was lost may still have created an invoice.
    // With a deadline, its one attempt ends by it; given patience, it may wait longer than usual.
    const timeoutMs = Math.floor(
      Math.min(budget.patienceMs ?? this.options.timeoutMs, (budget.deadline ?? Infinity) - Date.now()),
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
    let answer: HttpAnswer;
    const started = Date.now();
    try {
      answer = await (this.options.exchange ?? httpExchange)(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
        body,
        timeoutMs,
        maxBytes: this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      });
    } catch (error) {
      this.options.onExchanged?.(operation, Date.now() - started, false);
      throw transportFailure(operation, error, timeoutMs);
    }
    this.options.onExchanged?.(operation, Date.now() - started, true);
    const httpStatus = answer.status;
    if (httpStatus >= 300 && httpStatus <= 399) {
      // Never followed: the request carries the terminal password.
      throw new GlaseUnavailableError(`Glase ${operation} answered with a redirect, which is never followed`);
    }
    if (!isUtf8(answer.body)) {
      throw new GlaseUnavailableError(`Glase ${operation} answered with a body that is not UTF-8`);
    }
    const xml = answer.body.toString('utf8');
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

function transportFailure(operation: Operation, error: unknown, timeoutMs: number): GlaseUnavailableError {
  if (error instanceof ResponseTooLargeError) {
    return new GlaseUnavailableError(`Glase ${operation} answered with more than we read; refused`);
  }
  if (error instanceof HttpTimeoutError) {
    return new GlaseUnavailableError(`Glase ${operation} did not answer within ${timeoutMs} ms`, 'timeout');
  }
  // The cause is kept for our logs (ECONNREFUSED, ECONNRESET…); the message never carries the
  // request, which holds the password.
  const { code, name } = (error ?? {}) as { code?: string; name?: string };
  return new GlaseUnavailableError(`Glase ${operation} could not be reached`, 'unreachable', {
    cause: code ?? name ?? 'unknown',
  });
}

function isRetryable(error: unknown): boolean {
  return error instanceof GlaseUnavailableError || (error instanceof GlaseRejectedError && error.retryable);
}

function isInvoiceStatus(value: string | undefined): value is InvoiceStatus {
  return (INVOICE_STATUSES as readonly string[]).includes(value ?? '');
}
