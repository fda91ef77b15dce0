import { GlaseRejectedError, GlaseUnavailableError } from '../../lambda/checkout/model/errors.js';
import type { Invoice, RefundRequest } from '../../lambda/checkout/model/invoice.js';
import { GlaseClient, MAX_RESPONSE_BYTES } from '../../lambda/glase/client.js';
import { PAYMENT_API_NS, SOAP_ENVELOPE_NS } from '../../lambda/glase/envelope.js';
import {
  type HttpAnswer,
  type HttpExchange,
  type HttpRequest,
  HttpTimeoutError,
  ResponseTooLargeError,
} from '../../lambda/glase/http.js';

/** The transport in memory: each call answers from the queue, and every request is kept. */
function fakeExchange(...answers: (HttpAnswer | Error)[]) {
  const requests: { url: string; request: HttpRequest; body: string }[] = [];
  const exchange: HttpExchange = async (url, request) => {
    requests.push({ url, request, body: String(request.body) });
    const next = answers.shift();
    if (next === undefined) throw new Error('no answer scripted');
    if (next instanceof Error) throw next;
    return next;
  };
  return { exchange, requests };
}

const answer = (body: string | Buffer, status = 200): HttpAnswer => ({
  status,
  body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
});
const soap = (operation: string, fields: string, status = 200) =>
  answer(
    `<S:Envelope xmlns:S="${SOAP_ENVELOPE_NS}"><S:Body><ns2:${operation}Response xmlns:ns2="${PAYMENT_API_NS}"><return>${fields}</return></ns2:${operation}Response></S:Body></S:Envelope>`,
    status,
  );
const ok = (operation: string, fields = '') =>
  soap(operation, `<resultCode>0</resultCode><resultDescription>SUCCESS</resultDescription>${fields}`);
const result = (operation: string, code: number) =>
  soap(operation, `<resultCode>${code}</resultCode><resultDescription>NAME</resultDescription>`);

function client(
  transport: ReturnType<typeof fakeExchange>,
  extra: Partial<ConstructorParameters<typeof GlaseClient>[0]> = {},
) {
  const slept: number[] = [];
  const calls: string[] = [];
  let reads = 0;
  const glase = new GlaseClient({
    url: 'https://glase.invalid/soap',
    clientId: 'glase-checkout',
    timeoutMs: 5000,
    credentials: async () => {
      reads++;
      return { terminalId: 'terminal-1', password: 'pw-1' };
    },
    exchange: transport.exchange,
    onCall: (operation) => calls.push(operation),
    retryTiming: { sleep: async (ms) => void slept.push(ms), random: () => 1 },
    ...extra,
  });
  return { glase, slept, calls, reads: () => reads };
}

const refund: RefundRequest = {
  orderId: 'O',
  refundId: 'R',
  paymentErsReference: 'E',
  amountMinor: 100,
  currency: 'SEK',
  title: 'T',
  cashierId: 'c',
};
const invoice: Invoice = {
  orderId: 'ORDER-1',
  issuedAt: new Date('2026-11-27T10:00:00Z'),
  title: 'Shop',
  cashierId: 'till',
  footer: 'Thanks',
  currency: 'SEK',
  rows: [
    { description: 'Mug', sku: 'MUG', quantity: 1, unitPriceMinor: 100, totalMinor: 100, taxRatePercent: 25 },
  ],
  totalMinor: 100,
  notificationUrl: 'https://shop.example/n',
};
const query = { orderId: 'ORDER-1', invoiceReference: '123', invoiceVersion: 2 };
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

describe('GlaseClient', () => {
  it('posts one SOAP request per call, never following a redirect, and reads the credentials each time', async () => {
    const transport = fakeExchange(
      ok('sendInvoice', '<invoiceReference>1397222701693</invoiceReference>'),
      ok('cancelInvoice'),
    );
    const { glase, calls, reads } = client(transport);
    expect(await glase.sendInvoice(invoice)).toEqual({ invoiceReference: '1397222701693' });
    await glase.cancelInvoice('ORDER-1', '1397222701693');
    const [first] = transport.requests;
    expect(first?.url).toBe('https://glase.invalid/soap');
    expect(first?.request).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      timeoutMs: 5000,
      maxBytes: MAX_RESPONSE_BYTES,
    });
    expect(first?.body).toContain(
      '<ext:sendInvoice><context><channel>WS</channel><clientId>glase-checkout</clientId><clientReference>ORDER-1</clientReference>',
    );
    expect(first?.body).toContain('<password>pw-1</password>');
    expect(calls).toEqual(['sendInvoice', 'cancelInvoice']);
    expect(reads()).toBe(2);
  });

  it('reads a payment status: the status, the version, the references, the date in UTC', async () => {
    const { glase } = client(
      fakeExchange(
        ok(
          'getPaymentStatus',
          '<status>PAID</status><ersReference>E1</ersReference><receipt><paymentDate>2015-10-29T10:18:48.663+01:00</paymentDate><paymentReference>P1</paymentReference></receipt><version>3</version>',
        ),
      ),
    );
    expect(await glase.getPaymentStatus(query)).toEqual({
      status: 'PAID',
      version: 3,
      ersReference: 'E1',
      paymentReference: 'P1',
      paidAt: '2015-10-29T09:18:48.663Z',
    });
  });

  it('keeps the version it asked with when Glase gives none usable, and leaves out what is not there', async () => {
    const { glase } = client(
      fakeExchange(
        ok('getPaymentStatus', '<status>ISSUED</status><version>x</version>'),
        ok('getPaymentStatus', '<status>ISSUED</status><version>-1</version>'),
      ),
    );
    expect(await glase.getPaymentStatus(query)).toEqual({
      status: 'ISSUED',
      version: 2,
      ersReference: undefined,
      paymentReference: undefined,
      paidAt: undefined,
    });
    expect((await glase.getPaymentStatus(query)).version).toBe(2);
  });

  it.each([
    [
      'an unknown status',
      ok('getPaymentStatus', '<status>PARTIALLY_PAID</status><version>1</version>'),
      /unknown status "PARTIALLY_PAID"/,
    ],
    ['no status', ok('getPaymentStatus', '<version>1</version>'), /unknown status ""/],
    [
      'a resultCode that is not a number',
      soap('getPaymentStatus', '<resultCode>zero</resultCode>'),
      /resultCode that is not a number/,
    ],
    [
      'HTTP 500 with a SOAP Fault',
      answer(
        `<S:Envelope xmlns:S="${SOAP_ENVELOPE_NS}"><S:Body><S:Fault><faultcode>S:Server</faultcode><faultstring>x</faultstring></S:Fault></S:Body></S:Envelope>`,
        500,
      ),
      /answered HTTP 500 with SOAP Fault S:Server/,
    ],
    ['HTTP 502 with an HTML page', answer('<html>Bad Gateway</html>', 502), /answered HTTP 502$/],
    ['HTTP 302, never followed', answer('', 302), /answered with a redirect, which is never followed$/],
    ['HTTP 399, never followed', answer('', 399), /answered with a redirect, which is never followed$/],
    ['HTTP 300 with a body that is not UTF-8', answer(Buffer.from([0xff]), 300), /redirect/],
    ['HTTP 400 with a body that is not UTF-8', answer(Buffer.from([0xff]), 400), /not UTF-8/],
    ['a body that is not UTF-8', answer(Buffer.from([0x3c, 0xff, 0xfe, 0x3e])), /not UTF-8/],
    ['a body over the cap', new ResponseTooLargeError(), /more than we read/],
  ])('%s is Glase unavailable, not an answer', async (_name, answer, message) => {
    const error = await failure(
      client(fakeExchange(answer)).glase.getPaymentStatus(query, { maxAttempts: 1 }),
    );
    expect(error).toBeInstanceOf(GlaseUnavailableError);
    expect(error?.message).toMatch(message);
    expect((error as GlaseUnavailableError).kind).toBe('bad-response');
  });

  it('tells a timeout, a refused redirect and an unreachable host apart, never quoting the request', async () => {
    const timeout = new HttpTimeoutError('no answer within 5000 ms');
    const redirect = answer('', 307);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const { glase } = client(fakeExchange(timeout, redirect, refused));
    const [slow, moved, down] = [
      await failure(glase.cancelInvoice('O', '1', { maxAttempts: 1 })),
      await failure(glase.cancelInvoice('O', '1', { maxAttempts: 1 })),
      await failure(glase.cancelInvoice('O', '1', { maxAttempts: 1 })),
    ] as GlaseUnavailableError[];
    expect([slow?.kind, slow?.message]).toEqual([
      'timeout',
      'Glase cancelInvoice did not answer within 5000 ms',
    ]);
    expect([moved?.kind, moved?.message]).toEqual([
      'bad-response',
      'Glase cancelInvoice answered with a redirect, which is never followed',
    ]);
    expect([down?.kind, down?.message, down?.cause]).toEqual([
      'unreachable',
      'Glase cancelInvoice could not be reached',
      'ECONNREFUSED',
    ]);
    for (const error of [slow, moved, down]) expect(error?.message).not.toContain('pw-1');
  });

  it('reports each exchange to its observer: the operation, how long, whether Glase answered at all', async () => {
    const seen: [string, number, boolean][] = [];
    const { glase } = client(fakeExchange(ok('cancelInvoice'), new HttpTimeoutError('no answer')), {
      onExchanged: (operation, elapsedMs, answered) => seen.push([operation, elapsedMs, answered]),
    });
    await glase.cancelInvoice('O', '1', { maxAttempts: 1 });
    await failure(glase.cancelInvoice('O', '1', { maxAttempts: 1 }));
    expect(seen.map(([operation, , answered]) => [operation, answered])).toEqual([
      ['cancelInvoice', true],
      ['cancelInvoice', false],
    ]);
    for (const [, elapsedMs] of seen) expect(elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('a non-zero resultCode is the refusal it means', async () => {
    const error = await failure(
      client(fakeExchange(result('cancelInvoice', 50))).glase.cancelInvoice('O', '1'),
    );
    expect(error).toBeInstanceOf(GlaseRejectedError);
    expect(error).toMatchObject({
      refusal: 'invoice-paid',
      retryable: false,
      detail: 'CANNOT_CANCEL_PAID_INVOICE (result 50)',
    });
  });

  it('never repeats sendInvoice or refundPayment, even when Glase is only busy', async () => {
    const transport = fakeExchange(result('sendInvoice', 94), result('refundPayment', 90));
    const { glase } = client(transport);
    expect(await failure(glase.sendInvoice(invoice))).toMatchObject({ retryable: true });
    expect(await failure(glase.refundPayment(refund))).toMatchObject({ retryable: true });
    expect(transport.requests).toHaveLength(2);
  });

  it('sendInvoice answering success without a numeric reference, refundPayment without one: unavailable', async () => {
    const { glase } = client(
      fakeExchange(
        ok('sendInvoice', '<invoiceReference>abc</invoiceReference>'),
        ok('sendInvoice'),
        ok('refundPayment'),
      ),
    );
    expect(await failure(glase.sendInvoice(invoice))).toBeInstanceOf(GlaseUnavailableError);
    expect(await failure(glase.sendInvoice(invoice))).toBeInstanceOf(GlaseUnavailableError);
    expect(await failure(glase.refundPayment(refund))).toMatchObject({
      message: 'Glase refundPayment answered success without an ersReference',
    });
  });

  it('sendInvoice with no time left does not call Glase at all', async () => {
    const transport = fakeExchange();
    const error = await failure(client(transport).glase.sendInvoice(invoice, { deadline: Date.now() - 1 }));
    expect([(error as GlaseUnavailableError).kind, error?.message]).toEqual([
      'timeout',
      'no time left to call Glase sendInvoice',
    ]);
    expect(transport.requests).toEqual([]);
  });

  it('repeats a status call while Glase is only unavailable or busy: twice by default, until the deadline when given', async () => {
    const busy = () => result('getPaymentStatus', 94);
    const once = client(fakeExchange(busy(), busy(), busy()));
    expect(await failure(once.glase.getPaymentStatus(query))).toMatchObject({ refusal: 'glase-trouble' });
    expect(once.slept).toEqual([100]);
    const long = client(
      fakeExchange(
        busy(),
        answer('garbage'),
        busy(),
        ok('getPaymentStatus', '<status>PAID</status><version>1</version>'),
      ),
    );
    expect((await long.glase.getPaymentStatus(query, { deadline: Date.now() + 60_000 })).status).toBe('PAID');
    expect(long.slept).toEqual([100, 200, 400]);
    const final = client(fakeExchange(result('getPaymentStatus', 54)));
    expect(
      await failure(final.glase.getPaymentStatus(query, { deadline: Date.now() + 60_000 })),
    ).toMatchObject({ refusal: 'unknown-invoice' });
    expect(final.slept).toEqual([]);
  });
});
