import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ledger, ResultCodeError, type SandboxInvoice, str } from './ledger.js';
import { type OperationName, RESULT, resultName } from './protocol.js';
import { type Bound, readRequest, SoapFault, writeAnswer, writeFault } from './soap.js';
import { type ShopConnection, serveWeb } from './web.js';

export type { SandboxInvoice, SandboxInvoiceStatus } from './ledger.js';

/**
 * A local stand-in for Glase's Payment API: a real SOAP 1.1 server as strict and as lenient as
 * Glase's own (see soap.ts), invoices with Glase's state machine (ledger.ts), and the payer's
 * side (pay, decline) including the 20-second reversal rule. Faults can be injected through
 * `POST /sandbox/faults` so tests see exactly what a misbehaving Glase would do.
 */

export type FaultKind =
  | 'delay'
  | 'http500'
  | 'fault'
  | 'reset'
  | 'truncated'
  | 'garbage'
  | 'result'
  /** A DOCTYPE whose entity spoofs the answer's status (or invoiceReference): `&s;` = PAID. */
  | 'entity-spoof'
  /** The classic exponential entity bomb. */
  | 'billion-laughs'
  /** A 10 MB answer, streamed without a Content-Length. */
  | 'oversize'
  /** 307 to `location`: a client that follows it re-posts the password there. */
  | 'redirect';

export interface FaultSpec {
  /** Only calls to this operation; every operation when absent. */
  readonly operation?: string;
  readonly kind: FaultKind;
  readonly delayMs?: number;
  readonly resultCode?: number;
  readonly location?: string;
  /** How many calls it hits before it is used up (default 1). */
  readonly times?: number;
}

export interface SandboxCall {
  readonly operation: string;
  readonly at: number;
  readonly clientReference?: string | undefined;
  readonly invoiceReference?: string | undefined;
  readonly body: string;
  /** The SOAP answer the sandbox sent, when it sent one. */
  answer?: string;
}

export interface SandboxOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly terminalId?: string;
  readonly password?: string;
  /** Glase reverses a payment whose status was not asked for within this time (20 s). */
  readonly reversalAfterMs?: number;
  /** The server's own zone, where it reads a zone-less date (+60: Stockholm in winter). */
  readonly serverOffsetMinutes?: number;
}

export class GlaseSandbox {
  readonly calls: SandboxCall[] = [];
  private readonly ledger: Ledger;
  private faults: (FaultSpec & { remaining: number })[] = [];
  private nextCallActions: { operation: string; action: () => Promise<unknown> | unknown }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  private shop: ShopConnection | undefined;
  private readonly terminalId: string;
  private readonly password: string;
  private readonly reversalAfterMs: number;
  url = '';

  constructor(private readonly options: SandboxOptions = {}) {
    this.terminalId = options.terminalId ?? 'public_test_shop_terminal';
    this.password = options.password ?? '12345678';
    this.reversalAfterMs = options.reversalAfterMs ?? 20_000;
    this.ledger = new Ledger(options.serverOffsetMinutes ?? 60);
  }

  get invoices(): Map<string, SandboxInvoice> {
    return this.ledger.invoices;
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

  /** Where the sandbox's Glase app sends a scan: the shop's createPurchase. */
  connectShop(shop: ShopConnection): void {
    this.shop = shop;
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
    invoice.ersReference = this.ledger.reference();
    invoice.paymentReference = this.ledger.reference();
    invoice.paidAt = new Date().toISOString();
    const sentAt = Date.now();
    // Glase's rule: no getPaymentStatus within 20 s of the payment, and the payment is reversed.
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.reverseIfUnasked(invoice);
    }, this.reversalAfterMs);
    timer.unref();
    this.timers.add(timer);
    invoice.notifySentAt = sentAt;
    if (!notify || !invoice.notificationUrl) return invoice;
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

  /**
   * Glase's 20 s run out now: every paid invoice whose status nobody asked for is reversed, as
   * its timer would. Lets a test (or a developer) see the rule without waiting on the clock.
   */
  reverseUnasked(): SandboxInvoice[] {
    return [...this.invoices.values()].filter((invoice) => this.reverseIfUnasked(invoice));
  }

  private reverseIfUnasked(invoice: SandboxInvoice): boolean {
    if (invoice.status !== 'PAID' || invoice.statusCheckedAt) return false;
    invoice.status = 'CANCELED';
    invoice.version += 1;
    invoice.reversed = true;
    return true;
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

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const body = await readBody(request);
    const path = url.pathname;
    if (request.method === 'POST' && (path === '/soap' || path === '/'))
      return this.soap(body, request, response);
    try {
      const page = await serveWeb(request.method ?? 'GET', url, body, {
        baseUrl: this.baseUrl,
        shop: this.shop,
      });
      if (page) return send(response, page.status, page.type, page.body);
      if (path === '/sandbox/faults' && request.method === 'POST') {
        this.injectFault(JSON.parse(body || '{}') as FaultSpec);
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
    let operation: OperationName;
    let fields: Bound;
    try {
      ({ operation, fields } = readRequest(body));
    } catch (error) {
      if (!(error instanceof SoapFault)) throw error;
      const answer = writeFault(error);
      this.calls.push({ operation: 'unknown', at: Date.now(), body, answer });
      return send(response, 500, XML, answer);
    }
    const context = (fields.context ?? {}) as Bound;
    const call: SandboxCall = {
      operation,
      at: Date.now(),
      clientReference: str(context.clientReference),
      invoiceReference: str(fields.invoiceReference),
      body,
    };
    this.calls.push(call);

    const hooked = this.nextCallActions.findIndex((candidate) => candidate.operation === operation);
    if (hooked !== -1) {
      const [hook] = this.nextCallActions.splice(hooked, 1);
      await hook?.action();
    }
    const fault = this.takeFault(operation);
    if (fault && (await this.misbehave(fault, operation, request, response))) return;

    let answer: Bound;
    try {
      this.authenticate(context);
      answer = { resultCode: '0', resultDescription: 'SUCCESS', ...this.execute(operation, fields) };
    } catch (error) {
      if (!(error instanceof ResultCodeError)) throw error;
      answer = { resultCode: String(error.code), resultDescription: resultName(error.code) };
    }
    call.answer = writeAnswer(operation, answer);
    send(response, 200, XML, call.answer);
  }

  /** Answers as a broken Glase would; false when the fault only delays the real answer. */
  private async misbehave(
    fault: FaultSpec,
    operation: OperationName,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<boolean> {
    const envelope = (inner: string, doctype = '') =>
      `<?xml version="1.0"?>${doctype}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns2:${operation}Response xmlns:ns2="http://external.interfaces.ers.seamless.com/"><return>${inner}</return></ns2:${operation}Response></soap:Body></soap:Envelope>`;
    switch (fault.kind) {
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 10_000));
        return false;
      case 'reset':
        request.socket.destroy();
        return true;
      case 'http500':
        send(response, 500, 'text/html', '<html><body>Internal Server Error</body></html>');
        return true;
      case 'fault':
        send(response, 500, XML, writeFault(new SoapFault('soap:Server', 'injected server fault')));
        return true;
      case 'garbage':
        send(response, 200, XML, 'this is not a SOAP answer');
        return true;
      case 'result': {
        const code = fault.resultCode ?? RESULT.SYSTEM_ERROR;
        send(
          response,
          200,
          XML,
          writeAnswer(operation, { resultCode: String(code), resultDescription: resultName(code) }),
        );
        return true;
      }
      case 'truncated': {
        const whole = writeAnswer(operation, { resultCode: '0', invoiceReference: '1' });
        send(response, 200, XML, whole.slice(0, Math.floor(whole.length / 2)));
        return true;
      }
      case 'entity-spoof':
        send(
          response,
          200,
          XML,
          envelope(
            '<resultCode>0</resultCode><resultDescription>SUCCESS</resultDescription><status>&s;</status><invoiceReference>&r;</invoiceReference><version>1</version>',
            '<!DOCTYPE soap:Envelope [<!ENTITY s "PAID"><!ENTITY r "1397222701693">]>',
          ),
        );
        return true;
      case 'billion-laughs': {
        const entities = Array.from(
          { length: 9 },
          (_, level) => `<!ENTITY l${level + 1} "${`&l${level};`.repeat(10)}">`,
        ).join('');
        send(
          response,
          200,
          XML,
          envelope('<resultCode>&l9;</resultCode>', `<!DOCTYPE l [<!ENTITY l0 "lol">${entities}]>`),
        );
        return true;
      }
      case 'oversize': {
        // An otherwise valid PAID answer: only a size cap keeps a client from reading all of it.
        const [head, tail] = envelope(
          '<ersReference>1</ersReference><resultCode>0</resultCode><resultDescription>@</resultDescription><status>PAID</status><version>1</version>',
        ).split('@') as [string, string];
        response.writeHead(200, { 'content-type': XML });
        response.write(head);
        const chunk = 'x'.repeat(64 * 1024);
        for (let sent = 0; sent < 10 * 1024 * 1024 && !response.destroyed; sent += chunk.length) {
          if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
        }
        response.end(tail);
        return true;
      }
      case 'redirect':
        response.writeHead(307, {
          location: fault.location ?? 'http://127.0.0.1:9/soap',
          'content-length': 0,
        });
        response.end();
        return true;
    }
  }

  private takeFault(operation: string): FaultSpec | undefined {
    const fault = this.faults.find((candidate) => !candidate.operation || candidate.operation === operation);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }

  /** SEQR's own sample sent only initiatorPrincipalId and password: that is all Glase checks. */
  private authenticate(context: Bound): void {
    const principal = (context.initiatorPrincipalId ?? {}) as Bound;
    if (principal.type !== 'TERMINALID' || principal.id !== this.terminalId) {
      throw new ResultCodeError(RESULT.INVALID_INITIATOR_PRINCIPAL_ID);
    }
    if (context.password !== this.password) throw new ResultCodeError(RESULT.AUTHENTICATION_FAILED);
  }

  private execute(operation: OperationName, fields: Bound): Bound {
    switch (operation) {
      case 'sendInvoice': {
        const invoice = this.ledger.sendInvoice((fields.invoice ?? {}) as Bound);
        return {
          invoiceQRCode: `HTTP://SEQR.SE/R${invoice.invoiceReference}`,
          invoiceReference: invoice.invoiceReference,
        };
      }
      case 'getPaymentStatus':
        return this.paymentStatus(str(fields.invoiceReference));
      case 'cancelInvoice':
        this.ledger.cancelInvoice(str(fields.invoiceReference));
        return {};
      case 'refundPayment':
        return { ersReference: this.ledger.refundPayment(str(fields.ersReference), fields.invoice as Bound) };
    }
  }

  private paymentStatus(invoiceReference: string | undefined): Bound {
    const invoice = this.ledger.known(invoiceReference);
    if (invoice.status === 'PAID' && !invoice.statusCheckedAt) {
      invoice.statusCheckedAt = new Date().toISOString();
      if (invoice.notifySentAt !== undefined) invoice.statusDelayMs = Date.now() - invoice.notifySentAt;
    }
    const answer: Bound = { status: invoice.status, version: String(invoice.version) };
    if (invoice.status === 'PAID' && invoice.ersReference) {
      answer.ersReference = invoice.ersReference;
      answer.receipt = {
        terminalId: this.terminalId,
        paymentDate: this.ledger.serverDate(invoice.paidAt ?? new Date().toISOString()),
        clientInvoiceId: invoice.clientInvoiceId,
        invoiceReference: invoice.invoiceReference,
        paymentReference: invoice.paymentReference ?? '',
        payerTerminalId: 'sandbox-payer',
        receiverName: invoice.title,
        invoice: {
          title: invoice.title,
          clientInvoiceId: invoice.clientInvoiceId,
          totalAmount: { currency: invoice.currency, value: decimalOf(invoice.totalMinor) },
        },
      };
    }
    return answer;
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

const XML = 'text/xml; charset=utf-8';

function decimalOf(minor: number): string {
  return `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
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
