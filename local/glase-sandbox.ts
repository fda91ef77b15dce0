import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseDecimal } from '../lambda/checkout/money.js';
import { PAYMENT_API_NS, SOAP_ENVELOPE_NS } from '../lambda/glase/envelope.js';

/**
 * A local stand-in for Glase's Payment API: a real SOAP 1.1 server that parses and checks
 * the envelopes our client sends, keeps invoices with Glase's state machine, and plays the
 * payer (pay, cancel) including the 20-second reversal rule. Faults can be injected through
 * `POST /sandbox/faults` so tests see exactly what a misbehaving Glase would do.
 */

export type SandboxInvoiceStatus = 'ISSUED' | 'PAID' | 'CANCELED' | 'FAILED';

export interface SandboxInvoice {
  readonly invoiceReference: string;
  status: SandboxInvoiceStatus;
  version: number;
  readonly clientInvoiceId: string;
  readonly title: string;
  readonly totalMinor: number;
  readonly currency: string;
  readonly notificationUrl: string;
  readonly rows: readonly Record<string, unknown>[];
  readonly issuedAt: string;
  ersReference?: string;
  paymentReference?: string;
  paidAt?: string;
  /** When the shop first asked for the status after the payment: the 20-second clock stops. */
  statusCheckedAt?: string;
  /** Milliseconds from sending the notification to the shop's getPaymentStatus. */
  statusDelayMs?: number;
  notification?: { statusCode: number; ms: number } | { error: string };
  reversed?: boolean;
  notifySentAt?: number;
  refundedMinor: number;
  refunds: { ersReference: string; amountMinor: number; at: string }[];
}

export type FaultKind = 'delay' | 'http500' | 'fault' | 'reset' | 'truncated' | 'garbage' | 'result';

export interface FaultSpec {
  /** Only calls to this operation; every operation when absent. */
  readonly operation?: string;
  readonly kind: FaultKind;
  readonly delayMs?: number;
  readonly resultCode?: number;
  /** How many calls it hits before it is used up (default 1). */
  readonly times?: number;
}

export interface SandboxCall {
  readonly operation: string;
  readonly at: number;
  readonly clientReference?: string;
  readonly invoiceReference?: string;
  readonly body: string;
}

export interface SandboxOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly terminalId?: string;
  readonly password?: string;
  /** Glase reverses a payment whose status was not asked for within this time (20 s). */
  readonly reversalAfterMs?: number;
}

const RESULT_NAMES: Record<number, string> = {
  0: 'SUCCESS',
  20: 'AUTHENTICATION_FAILED',
  21: 'ACCESS_DENIED',
  23: 'INVALID_ERS_REFERENCE',
  29: 'INVALID_INITIATOR_PRINCIPAL_ID',
  49: 'INVALID_INVOICE_DATA',
  50: 'CANNOT_CANCEL_PAID_INVOICE',
  54: 'INVALID_INVOICE_REFERENCE',
  64: 'INVALID_NOTIFICATION_URL',
  90: 'SYSTEM_ERROR',
  91: 'UNSUPPORTED_OPERATION',
  94: 'SERVICE_UNAVAILABLE',
  95: 'INVOICE_ALREADY_CANCELED',
  98: 'SUM_OF_REFUNDS_CAN_NOT_BE_MORE_THAN_ORIGINAL_TRANSACTION',
};

const AMOUNT = /^\d{1,13}(\.\d{1,2})?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

/** A request the sandbox refuses as Glase's SOAP stack would: with a Client Fault. */
class SoapClientFault extends Error {}
/** A business answer: resultCode ≠ 0. */
class ResultCode extends Error {
  constructor(
    readonly code: number,
    readonly detail?: string,
  ) {
    super(RESULT_NAMES[code] ?? `RESULT_${code}`);
  }
}

type Element = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'invoiceRow',
});
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true });

export class GlaseSandbox {
  readonly invoices = new Map<string, SandboxInvoice>();
  readonly calls: SandboxCall[] = [];
  private faults: (FaultSpec & { remaining: number })[] = [];
  private nextCallActions: { operation: string; action: () => Promise<unknown> | unknown }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  private sequence = 0;
  private readonly terminalId: string;
  private readonly password: string;
  private readonly reversalAfterMs: number;
  url = '';

  constructor(private readonly options: SandboxOptions = {}) {
    this.terminalId = options.terminalId ?? 'public_test_shop_terminal';
    this.password = options.password ?? '12345678';
    this.reversalAfterMs = options.reversalAfterMs ?? 20_000;
  }

  /** Starts listening; resolves to the SOAP endpoint URL. */
  async start(): Promise<string> {
    const server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        if (!response.headersSent)
          send(response, 500, 'text/plain', `sandbox error: ${(error as Error).message}`);
      });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve);
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    this.url = `http://${address}:${port}/soap`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get baseUrl(): string {
    return this.url.replace(/\/soap$/, '');
  }

  injectFault(fault: FaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  callsTo(operation: string): SandboxCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  /**
   * Runs `action` when the next `operation` call arrives, before it is answered: how a test
   * makes the payer act at an exact moment (say, pay while the shop is cancelling).
   */
  onNextCall(operation: string, action: () => Promise<unknown> | unknown): void {
    this.nextCallActions.push({ operation, action });
  }

  /**
   * The payer confirms in the app: the invoice is paid and the shop is notified (unless
   * `notify` is false: a notification lost on the way).
   */
  async pay(invoiceReference: string, { notify = true }: { notify?: boolean } = {}): Promise<SandboxInvoice> {
    const invoice = this.issued(invoiceReference);
    invoice.status = 'PAID';
    invoice.version += 1;
    invoice.ersReference = this.reference();
    invoice.paymentReference = this.reference();
    invoice.paidAt = new Date().toISOString().slice(0, 19);
    const sentAt = Date.now();
    // Glase's rule: no getPaymentStatus within 20 s of the payment, and the payment is reversed.
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (invoice.status === 'PAID' && !invoice.statusCheckedAt) {
        invoice.status = 'CANCELED';
        invoice.version += 1;
        invoice.reversed = true;
      }
    }, this.reversalAfterMs);
    timer.unref();
    this.timers.add(timer);
    invoice.notifySentAt = sentAt;
    if (!notify) return invoice;
    try {
      const response = await fetch(invoice.notificationUrl, {
        method: 'POST',
        body: '',
        signal: AbortSignal.timeout(this.reversalAfterMs),
      });
      await response.arrayBuffer();
      invoice.notification = { statusCode: response.status, ms: Date.now() - sentAt };
    } catch (error) {
      invoice.notification = { error: (error as Error).message };
    }
    return invoice;
  }

  /** The payer declines, or the invoice expires at Glase. */
  cancel(invoiceReference: string): SandboxInvoice {
    const invoice = this.issued(invoiceReference);
    invoice.status = 'CANCELED';
    invoice.version += 1;
    return invoice;
  }

  /** The payer can only act on an invoice that is still waiting for payment. */
  private issued(invoiceReference: string): SandboxInvoice {
    const invoice = this.invoices.get(invoiceReference);
    if (!invoice) throw new SandboxRefusal(404, `no invoice ${invoiceReference}`);
    if (invoice.status !== 'ISSUED')
      throw new SandboxRefusal(409, `invoice ${invoiceReference} is ${invoice.status}`);
    return invoice;
  }

  private reference(): string {
    this.sequence = (this.sequence + 1) % 1000;
    return `${Date.now()}${String(this.sequence).padStart(3, '0')}${randomInt(10)}`;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const body = await readBody(request);
    const path = url.pathname;
    if (request.method === 'POST' && (path === '/soap' || path === '/'))
      return this.soap(body, request, response);
    try {
      if (path === '/sandbox/faults' && request.method === 'POST') {
        const spec = JSON.parse(body || '{}') as FaultSpec;
        this.injectFault(spec);
        return send(response, 201, 'application/json', JSON.stringify({ faults: this.faults }));
      }
      if (path === '/sandbox/faults' && request.method === 'DELETE') {
        this.clearFaults();
        return send(response, 204, 'text/plain', '');
      }
      if (path === '/sandbox/calls' && request.method === 'GET') {
        const counts: Record<string, number> = {};
        for (const call of this.calls) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
        return send(
          response,
          200,
          'application/json',
          JSON.stringify({ total: this.calls.length, byOperation: counts }),
        );
      }
      if (path === '/sandbox/invoices' && request.method === 'GET') {
        return send(response, 200, 'application/json', JSON.stringify([...this.invoices.values()], null, 2));
      }
      const match = /^\/sandbox\/invoices\/(\d+)(?:\/(pay|cancel))?$/.exec(path);
      if (match) {
        const [, reference = '', action] = match;
        if (!action && request.method === 'GET') {
          const invoice = this.invoices.get(reference);
          if (!invoice) throw new SandboxRefusal(404, `no invoice ${reference}`);
          return send(response, 200, 'application/json', JSON.stringify(invoice, null, 2));
        }
        if (action && request.method === 'POST') {
          const notify = url.searchParams.get('notify') !== 'false';
          const invoice = action === 'pay' ? await this.pay(reference, { notify }) : this.cancel(reference);
          return send(response, 200, 'application/json', JSON.stringify(invoice, null, 2));
        }
      }
      throw new SandboxRefusal(404, `no sandbox route ${request.method} ${path}`);
    } catch (error) {
      const status = error instanceof SandboxRefusal ? error.statusCode : 400;
      send(response, status, 'application/json', JSON.stringify({ error: (error as Error).message }));
    }
  }

  private async soap(body: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    let operation = 'unknown';
    let fields: Element = {};
    try {
      ({ operation, fields } = this.parseEnvelope(body));
    } catch (error) {
      this.calls.push({ operation, at: Date.now(), body });
      return soapFault(response, 'soap:Client', (error as Error).message);
    }
    const context = asElement(fields.context);
    this.calls.push({
      operation,
      at: Date.now(),
      clientReference: stringOf(context.clientReference),
      invoiceReference: stringOf(fields.invoiceReference),
      body,
    });

    const hooked = this.nextCallActions.findIndex((candidate) => candidate.operation === operation);
    if (hooked !== -1) {
      const [hook] = this.nextCallActions.splice(hooked, 1);
      await hook?.action();
    }
    const fault = this.takeFault(operation);
    if (fault) {
      if (fault.kind === 'delay') await sleep(fault.delayMs ?? 10_000);
      if (fault.kind === 'reset') {
        request.socket.destroy();
        return;
      }
      if (fault.kind === 'http500')
        return send(response, 500, 'text/html', '<html><body>Internal Server Error</body></html>');
      if (fault.kind === 'fault') return soapFault(response, 'soap:Server', 'injected server fault');
      if (fault.kind === 'garbage') return send(response, 200, 'text/xml', 'this is not a SOAP answer');
      if (fault.kind === 'result')
        return soapReturn(response, operation, { resultCode: fault.resultCode ?? 90 });
      if (fault.kind === 'truncated') {
        const whole = returnXml(operation, { resultCode: 0, invoiceReference: '1' });
        return send(response, 200, 'text/xml', whole.slice(0, Math.floor(whole.length / 2)));
      }
    }

    try {
      this.authenticate(context);
      const result = this.execute(operation, fields);
      soapReturn(response, operation, { resultCode: 0, ...result });
    } catch (error) {
      if (error instanceof ResultCode) {
        return soapReturn(response, operation, { resultCode: error.code, resultDescription: error.message });
      }
      if (error instanceof SoapClientFault) return soapFault(response, 'soap:Client', error.message);
      throw error;
    }
  }

  private takeFault(operation: string): FaultSpec | undefined {
    const fault = this.faults.find((candidate) => !candidate.operation || candidate.operation === operation);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }

  /** Checks the envelope the way a namespace-aware SOAP stack would, and returns the operation. */
  private parseEnvelope(xml: string): { operation: string; fields: Element } {
    if (XMLValidator.validate(xml) !== true) throw new SoapClientFault('request is not well-formed XML');
    const document = parser.parse(xml) as Element;
    const rootName = Object.keys(document).find((key) => !key.startsWith('?'));
    if (!rootName) throw new SoapClientFault('no root element');
    const root = asElement(document[rootName]);
    const namespaces = declaredNamespaces(root);
    const [envPrefix, envLocal] = splitName(rootName);
    if (envLocal !== 'Envelope' || namespaces[envPrefix] !== SOAP_ENVELOPE_NS) {
      throw new SoapClientFault('root element is not a SOAP 1.1 Envelope');
    }
    const body = asElement(root[`${envPrefix ? `${envPrefix}:` : ''}Body`]);
    const children = Object.keys(body).filter((key) => !key.startsWith('@_'));
    if (children.length !== 1) throw new SoapClientFault('Body must hold exactly one operation element');
    const operationName = children[0] as string;
    const fields = asElement(body[operationName]);
    const [prefix, operation] = splitName(operationName);
    const scope = { ...namespaces, ...declaredNamespaces(asElement(body)), ...declaredNamespaces(fields) };
    if (scope[prefix] !== PAYMENT_API_NS) {
      throw new SoapClientFault(`${operation} is not in namespace ${PAYMENT_API_NS}`);
    }
    for (const key of Object.keys(fields)) {
      if (!key.startsWith('@_') && key.includes(':')) {
        throw new SoapClientFault(`child element ${key} must not carry a namespace prefix`);
      }
    }
    if (!('context' in fields)) throw new SoapClientFault('context is required');
    return { operation, fields };
  }

  private authenticate(context: Element): void {
    for (const field of ['channel', 'clientId', 'clientReference', 'clientRequestTimeout', 'password']) {
      if (stringOf(context[field]) === undefined) throw new SoapClientFault(`context/${field} is required`);
    }
    if ((stringOf(context.clientReference) ?? '').length > 32) {
      throw new SoapClientFault('context/clientReference must be at most 32 characters');
    }
    if (stringOf(context.clientRequestTimeout) !== '0')
      throw new SoapClientFault('clientRequestTimeout must be 0');
    const principal = asElement(context.initiatorPrincipalId);
    if (stringOf(principal.type) !== 'TERMINALID' || stringOf(principal.id) !== this.terminalId) {
      throw new ResultCode(29);
    }
    if (stringOf(context.password) !== this.password) throw new ResultCode(20);
  }

  private execute(operation: string, fields: Element): Record<string, unknown> {
    switch (operation) {
      case 'sendInvoice':
        return this.sendInvoice(asElement(fields.invoice));
      case 'getPaymentStatus':
        return this.getPaymentStatus(fields);
      case 'cancelInvoice':
        return this.cancelInvoice(fields);
      case 'refundPayment':
        return this.refundPayment(fields);
      default:
        throw new ResultCode(91);
    }
  }

  private sendInvoice(invoice: Element): Record<string, unknown> {
    const required = [
      'paymentMode',
      'acknowledgmentMode',
      'issueDate',
      'title',
      'clientInvoiceId',
      'cashierId',
      'footer',
    ];
    for (const field of required) {
      if (!stringOf(invoice[field])) throw new ResultCode(49, `invoice/${field} is required`);
    }
    if (invoice.paymentMode !== 'IMMEDIATE_DEBIT') throw new ResultCode(49, 'paymentMode');
    if (!DATE_TIME.test(stringOf(invoice.issueDate) ?? '')) throw new ResultCode(49, 'issueDate');
    const total = amountOf(invoice.totalAmount, 'totalAmount');
    const rows = asElement(invoice.invoiceRows).invoiceRow;
    if (!Array.isArray(rows) || rows.length === 0) throw new ResultCode(49, 'invoiceRows');
    let sum = 0;
    for (const row of rows.map(asElement)) {
      const quantity = Number(stringOf(row.itemQuantity));
      if (!Number.isInteger(quantity) || quantity < 1) throw new ResultCode(49, 'itemQuantity');
      const rowTotal = amountOf(row.itemTotalAmount, 'itemTotalAmount');
      if (rowTotal.currency !== total.currency) throw new ResultCode(49, 'row currency');
      if (row.itemUnitPrice !== undefined) {
        const unit = amountOf(row.itemUnitPrice, 'itemUnitPrice');
        if (unit.currency !== total.currency || unit.minor * quantity !== rowTotal.minor) {
          throw new ResultCode(49, 'itemUnitPrice × itemQuantity ≠ itemTotalAmount');
        }
      }
      sum += rowTotal.minor;
    }
    if (sum !== total.minor) throw new ResultCode(49, 'totalAmount ≠ sum of rows');
    const notificationUrl = stringOf(invoice.notificationUrl) ?? '';
    if (!notificationUrl.startsWith('http')) throw new ResultCode(64);
    const invoiceReference = this.reference();
    this.invoices.set(invoiceReference, {
      invoiceReference,
      status: 'ISSUED',
      version: 0,
      clientInvoiceId: stringOf(invoice.clientInvoiceId) ?? '',
      title: stringOf(invoice.title) ?? '',
      totalMinor: total.minor,
      currency: total.currency,
      notificationUrl,
      rows: rows.map(asElement),
      issuedAt: new Date().toISOString(),
      refundedMinor: 0,
      refunds: [],
    });
    return { invoiceQRCode: `HTTP://SEQR.SE/R${invoiceReference}`, invoiceReference };
  }

  private getPaymentStatus(fields: Element): Record<string, unknown> {
    const invoice = this.invoices.get(stringOf(fields.invoiceReference) ?? '');
    if (!invoice) throw new ResultCode(54);
    if (invoice.status === 'PAID' && !invoice.statusCheckedAt) {
      invoice.statusCheckedAt = new Date().toISOString();
      const sentAt = invoice.notifySentAt;
      if (sentAt !== undefined) invoice.statusDelayMs = Date.now() - sentAt;
    }
    const answer: Record<string, unknown> = { status: invoice.status, version: invoice.version };
    if (invoice.status === 'PAID') {
      answer.ersReference = invoice.ersReference;
      answer.receipt = {
        terminalId: this.terminalId,
        paymentDate: invoice.paidAt,
        invoiceReference: invoice.invoiceReference,
        paymentReference: invoice.paymentReference,
        payerTerminalId: 'sandbox-payer',
        receiverName: invoice.title,
      };
    }
    return answer;
  }

  /** Glase's rules: the payment must exist (23) and refunds may not exceed it (98). */
  private refundPayment(fields: Element): Record<string, unknown> {
    const paymentReference = stringOf(fields.ersReference) ?? '';
    const invoice = [...this.invoices.values()].find(
      (candidate) => candidate.ersReference === paymentReference,
    );
    if (!invoice || !paymentReference || invoice.status !== 'PAID') throw new ResultCode(23);
    const refundInvoice = asElement(fields.invoice);
    for (const field of ['title', 'cashierId']) {
      if (!stringOf(refundInvoice[field])) throw new ResultCode(49, `invoice/${field} is required`);
    }
    const amount = amountOf(refundInvoice.totalAmount, 'totalAmount');
    if (amount.currency !== invoice.currency || amount.minor <= 0) throw new ResultCode(49, 'totalAmount');
    if (invoice.refundedMinor + amount.minor > invoice.totalMinor) throw new ResultCode(98);
    const ersReference = this.reference();
    invoice.refundedMinor += amount.minor;
    invoice.refunds.push({ ersReference, amountMinor: amount.minor, at: new Date().toISOString() });
    return { ersReference };
  }

  private cancelInvoice(fields: Element): Record<string, unknown> {
    const invoice = this.invoices.get(stringOf(fields.invoiceReference) ?? '');
    if (!invoice) throw new ResultCode(54);
    if (invoice.status === 'PAID') throw new ResultCode(50);
    if (invoice.status === 'CANCELED') throw new ResultCode(95);
    invoice.status = 'CANCELED';
    invoice.version += 1;
    return {};
  }
}

export class SandboxRefusal extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function amountOf(value: unknown, field: string): { minor: number; currency: string } {
  const element = asElement(value);
  const text = stringOf(element.value) ?? '';
  const currency = stringOf(element.currency) ?? '';
  if (!AMOUNT.test(text) || !/^[A-Z]{3}$/.test(currency))
    throw new ResultCode(49, `${field} is not an amount`);
  return { minor: parseDecimal(text), currency };
}

function declaredNamespaces(element: Element): Record<string, string> {
  const namespaces: Record<string, string> = {};
  for (const [key, value] of Object.entries(element)) {
    if (key === '@_xmlns') namespaces[''] = String(value);
    else if (key.startsWith('@_xmlns:')) namespaces[key.slice('@_xmlns:'.length)] = String(value);
  }
  return namespaces;
}

function splitName(name: string): [string, string] {
  const colon = name.indexOf(':');
  return colon === -1 ? ['', name] : [name.slice(0, colon), name.slice(colon + 1)];
}

function asElement(value: unknown): Element {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Element) : {};
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function returnXml(operation: string, fields: Record<string, unknown>): string {
  const resultCode = Number(fields.resultCode ?? 0);
  const withDescription = { resultCode, resultDescription: RESULT_NAMES[resultCode] ?? 'UNKNOWN', ...fields };
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({
    'soap:Envelope': {
      '@_xmlns:soap': SOAP_ENVELOPE_NS,
      'soap:Body': {
        [`ns2:${operation}Response`]: { '@_xmlns:ns2': PAYMENT_API_NS, return: withDescription },
      },
    },
  })}`;
}

function soapReturn(response: ServerResponse, operation: string, fields: Record<string, unknown>): void {
  send(response, 200, 'text/xml; charset=utf-8', returnXml(operation, fields));
}

function soapFault(response: ServerResponse, code: string, message: string): void {
  const xml = builder.build({
    'soap:Envelope': {
      '@_xmlns:soap': SOAP_ENVELOPE_NS,
      'soap:Body': { 'soap:Fault': { faultcode: code, faultstring: message } },
    },
  });
  send(response, 500, 'text/xml; charset=utf-8', xml);
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
