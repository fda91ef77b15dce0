import { GlaseRejectedError, GlaseUnavailableError } from '../checkout/errors.js';
import { formatMinor } from '../checkout/money.js';
import type {
  Invoice,
  InvoiceStatus,
  PaymentGateway,
  PaymentStatus,
  RefundRequest,
} from '../checkout/ports.js';
import { INVOICE_STATUSES } from '../checkout/ports.js';
import {
  asRecord,
  buildRequest,
  faultCode,
  invoiceNode,
  type Operation,
  parseResponse,
  type ReturnFields,
  type TerminalCredentials,
  text,
  type XmlNode,
} from './envelope.js';

export interface GlaseClientOptions {
  /** The Payment API endpoint, e.g. the sandbox's `http://127.0.0.1:8081/soap`. */
  readonly url: string;
  /** Fetched per call so a rotated secret is picked up; the caller caches. */
  readonly credentials: () => Promise<TerminalCredentials>;
  readonly clientId: string;
  /** Per-call timeout. */
  readonly timeoutMs: number;
  /** Extra attempts for calls that are safe to repeat (status, cancel); sendInvoice is never repeated. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Counts calls for the round-trip figures; never sees the body. */
  readonly onCall?: (operation: Operation) => void;
}

/** Glase's Payment API over SOAP 1.1, for the domain's PaymentGateway port. */
export class GlaseClient implements PaymentGateway {
  constructor(private readonly options: GlaseClientOptions) {}

  async sendInvoice(invoice: Invoice): Promise<{ invoiceReference: string }> {
    // Not repeated: a sendInvoice whose answer was lost may still have created an invoice.
    const fields = await this.call('sendInvoice', invoice.orderId, { invoice: invoiceNode(invoice) }, 0);
    const invoiceReference = text(fields.invoiceReference);
    if (!invoiceReference || !/^\d+$/.test(invoiceReference)) {
      throw new GlaseUnavailableError(
        'Glase sendInvoice answered success without a numeric invoiceReference',
      );
    }
    return { invoiceReference };
  }

  async getPaymentStatus(
    orderId: string,
    invoiceReference: string,
    invoiceVersion: number,
  ): Promise<PaymentStatus> {
    const fields = await this.call('getPaymentStatus', orderId, { invoiceReference, invoiceVersion });
    const status = text(fields.status);
    if (!isInvoiceStatus(status)) {
      throw new GlaseUnavailableError(`Glase getPaymentStatus answered an unknown status "${status ?? ''}"`);
    }
    const receipt = asRecord(fields.receipt);
    return {
      status,
      version: Number(text(fields.version) ?? invoiceVersion) || invoiceVersion,
      ersReference: text(fields.ersReference),
      paymentReference: text(receipt.paymentReference),
      paidAt: text(receipt.paymentDate),
    };
  }

  async cancelInvoice(orderId: string, invoiceReference: string): Promise<void> {
    await this.call('cancelInvoice', orderId, { invoiceReference });
  }

  async refundPayment(refund: RefundRequest): Promise<{ ersReference: string }> {
    // Never repeated: without an answer we cannot know whether money moved.
    const fields = await this.call(
      'refundPayment',
      refund.refundId,
      {
        ersReference: refund.paymentErsReference,
        invoice: {
          title: refund.title,
          cashierId: refund.cashierId,
          clientInvoiceId: refund.orderId,
          totalAmount: { value: formatMinor(refund.amountMinor), currency: refund.currency },
        },
      },
      0,
    );
    const ersReference = text(fields.ersReference);
    if (!ersReference)
      throw new GlaseUnavailableError('Glase refundPayment answered success without an ersReference');
    return { ersReference };
  }

  private async call(
    operation: Operation,
    clientReference: string,
    children: XmlNode,
    retries = this.options.retries ?? 0,
  ): Promise<ReturnFields> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.callOnce(operation, clientReference, children);
      } catch (error) {
        const retryable =
          error instanceof GlaseUnavailableError || (error instanceof GlaseRejectedError && error.retryable);
        if (!retryable || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 200));
      }
    }
  }

  private async callOnce(
    operation: Operation,
    clientReference: string,
    children: XmlNode,
  ): Promise<ReturnFields> {
    const credentials = await this.options.credentials();
    const body = buildRequest(
      operation,
      { clientId: this.options.clientId, clientReference, credentials },
      children,
    );
    this.options.onCall?.(operation);
    let xml: string;
    let httpStatus: number;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `""` },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      httpStatus = response.status;
      xml = await response.text();
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      // The cause is kept for our logs; the message never carries the request (it holds the password).
      throw new GlaseUnavailableError(
        timedOut
          ? `Glase ${operation} did not answer within ${this.options.timeoutMs} ms`
          : `Glase ${operation} could not be reached`,
        timedOut ? 'timeout' : 'unreachable',
        { cause: networkCause(error) },
      );
    }
    if (httpStatus < 200 || httpStatus > 299) {
      const fault = faultCode(xml);
      throw new GlaseUnavailableError(
        `Glase ${operation} answered HTTP ${httpStatus}${fault ? ` with SOAP Fault ${fault}` : ''}`,
      );
    }
    const fields = parseResponse(operation, xml);
    const resultCode = Number(text(fields.resultCode));
    if (!Number.isInteger(resultCode)) {
      throw new GlaseUnavailableError(`Glase ${operation} answered a resultCode that is not a number`);
    }
    if (resultCode !== 0) {
      throw new GlaseRejectedError(operation, resultCode, text(fields.resultDescription) ?? '');
    }
    return fields;
  }
}

function isInvoiceStatus(value: string | undefined): value is InvoiceStatus {
  return (INVOICE_STATUSES as readonly string[]).includes(value ?? '');
}

function networkCause(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? error.name;
}
