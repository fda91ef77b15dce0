import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { GlaseUnavailableError } from '../../lambda/checkout/model/errors.js';
import type { Invoice } from '../../lambda/checkout/model/invoice.js';
import { GlaseClient } from '../../lambda/glase/client.js';
import { GlaseSandbox } from '../../local/glase-sandbox/index.js';
import { schemaErrors } from '../support/payment-schema.js';

/**
 * The sandbox against requests exactly as real clients write them (the Apache Axis 1.4 client
 * generated from SEQR's WSDL puts the operation in a default namespace and resets its children
 * with xmlns=""), and our client against the sandbox, both checked by the XSD.
 */
const NS = 'http://external.interfaces.ers.seamless.com/';
const TERMINAL = { terminalId: 'public_test_shop_terminal', password: '12345678' };
const FULL_CONTEXT = `<channel>WS</channel><clientId>axis</clientId><clientReference>r1</clientReference><clientRequestTimeout>0</clientRequestTimeout><initiatorPrincipalId><id>${TERMINAL.terminalId}</id><type>TERMINALID</type></initiatorPrincipalId><password>${TERMINAL.password}</password>`;
// What SEQR's own sample sent: nothing but who is calling.
const MINIMAL_CONTEXT = `<initiatorPrincipalId><id>${TERMINAL.terminalId}</id><type>TERMINALID</type></initiatorPrincipalId><password>${TERMINAL.password}</password>`;

const axis = (operation: string, children: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><${operation} xmlns="${NS}">${children}</${operation}></soapenv:Body></soapenv:Envelope>`;

const invoiceXml = (
  extra = '',
  { quantity = '1.5', issueDate = '2026-11-27T10:00:00.000Z', ack = 'NO_ACKNOWLEDGMENT' } = {},
) =>
  `<invoice xmlns=""><paymentMode>IMMEDIATE_DEBIT</paymentMode><acknowledgmentMode>${ack}</acknowledgmentMode><issueDate>${issueDate}</issueDate><title>Axis Shop</title><clientInvoiceId>axis-1</clientInvoiceId><invoiceRows><invoiceRow><itemDescription>Cheese, per kg</itemDescription><itemQuantity>${quantity}</itemQuantity><itemSKU>CHEESE</itemSKU><itemTaxRate>12</itemTaxRate><itemTotalAmount><currency>SEK</currency><value>150.00</value></itemTotalAmount><itemUnitPrice><currency>SEK</currency><value>100.00</value></itemUnitPrice></invoiceRow></invoiceRows><totalAmount><currency>SEK</currency><value>150.00</value></totalAmount><cashierId>till-1</cashierId><footer>Thanks</footer><notificationUrl>http://127.0.0.1:9/notify</notificationUrl>${extra}</invoice>`;

const reader = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
const ordered = new XMLParser({ preserveOrder: true, removeNSPrefix: true, parseTagValue: false });

describe('the sandbox judges requests as the real server does', () => {
  let sandbox: GlaseSandbox;
  beforeAll(async () => {
    sandbox = new GlaseSandbox();
    await sandbox.start();
  });
  afterAll(() => sandbox.stop());

  async function soap(xml: string) {
    const response = await fetch(sandbox.url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: xml,
    });
    const text = await response.text();
    expect(schemaErrors(text)).toEqual([]); // every answer, success or fault, is schema-valid
    const body = reader.parse(text).Envelope.Body;
    return { status: response.status, body, text };
  }
  const returnOf = (answer: { body: Record<string, any> }, operation: string) =>
    answer.body[`${operation}Response`].return;

  async function axisInvoice(): Promise<string> {
    const answer = await soap(
      axis('sendInvoice', `<context xmlns="">${MINIMAL_CONTEXT}</context>${invoiceXml()}`),
    );
    expect(returnOf(answer, 'sendInvoice')).toMatchObject({ resultCode: '0' });
    return returnOf(answer, 'sendInvoice').invoiceReference;
  }

  it('accepts the generated Axis client’s request: xmlns="" children, a minimal context, a fractional quantity', async () => {
    const reference = await axisInvoice();
    expect(reference).toMatch(/^\d+$/);
    expect(sandbox.invoices.get(reference)).toMatchObject({ status: 'ISSUED', totalMinor: 15000 });
  });

  it('finds the invoice when getPaymentStatus and cancelInvoice send <invoiceReference xmlns="">', async () => {
    const reference = await axisInvoice();
    const status = await soap(
      axis(
        'getPaymentStatus',
        `<context xmlns="">${FULL_CONTEXT}</context><invoiceReference xmlns="">${reference}</invoiceReference><invoiceVersion xmlns="">0</invoiceVersion>`,
      ),
    );
    expect(returnOf(status, 'getPaymentStatus')).toMatchObject({
      resultCode: '0',
      status: 'ISSUED',
      version: '0',
    });
    const cancel = await soap(
      axis(
        'cancelInvoice',
        `<context xmlns="">${FULL_CONTEXT}</context><invoiceReference xmlns="">${reference}</invoiceReference>`,
      ),
    );
    expect(returnOf(cancel, 'cancelInvoice')).toMatchObject({ resultCode: '0' });
    expect(sandbox.invoices.get(reference)?.status).toBe('CANCELED');
  });

  it.each([
    [
      'children in the operation’s namespace (a default xmlns never reset)',
      `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><cancelInvoice xmlns="${NS}"><context>${FULL_CONTEXT}</context><invoiceReference>1</invoiceReference></cancelInvoice></soapenv:Body></soapenv:Envelope>`,
      /unexpected element \(uri:"http:\/\/external\.interfaces\.ers\.seamless\.com\/", local:"context"\)/,
    ],
    [
      'a prefixed child',
      `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ext="${NS}"><soapenv:Body><ext:cancelInvoice><context>${FULL_CONTEXT}</context><ext:invoiceReference>1</ext:invoiceReference></ext:cancelInvoice></soapenv:Body></soapenv:Envelope>`,
      /local:"invoiceReference"/,
    ],
    [
      'an element the WSDL lacks (commitReservationTimeout)',
      axis(
        'sendInvoice',
        `<context xmlns="">${FULL_CONTEXT}</context>${invoiceXml('<commitReservationTimeout>60</commitReservationTimeout>')}`,
      ),
      /local:"commitReservationTimeout"/,
    ],
    [
      'an unknown enum literal (NO_ACK)',
      axis('sendInvoice', `<context xmlns="">${FULL_CONTEXT}</context>${invoiceXml('', { ack: 'NO_ACK' })}`),
      /not a acknowledgmentMode literal: "NO_ACK"/,
    ],
    [
      'a malformed decimal (12,50)',
      axis(
        'sendInvoice',
        `<context xmlns="">${FULL_CONTEXT}</context>${invoiceXml('', { quantity: '1,5' })}`,
      ),
      /not an xs:decimal/,
    ],
    [
      'a malformed int',
      axis(
        'getPaymentStatus',
        `<context xmlns="">${FULL_CONTEXT}</context><invoiceReference xmlns="">1</invoiceReference><invoiceVersion xmlns="">zero</invoiceVersion>`,
      ),
      /not an xs:int/,
    ],
    [
      'a malformed long (clientRequestTimeout)',
      axis(
        'cancelInvoice',
        `<context xmlns="">${FULL_CONTEXT.replace('<clientRequestTimeout>0<', '<clientRequestTimeout>0.5<')}</context>`,
      ),
      /not an xs:long/,
    ],
    [
      'a DTD',
      `<!DOCTYPE x [<!ENTITY r "1">]>${axis('cancelInvoice', `<context xmlns="">${FULL_CONTEXT}</context><invoiceReference xmlns="">&r;</invoiceReference>`)}`,
      /DTD/,
    ],
  ])('answers %s with a SOAP Fault', async (_name, xml, message) => {
    const answer = await soap(xml);
    expect(answer.status).toBe(500);
    expect(answer.body.Fault.faultcode).toBe('soap:Client');
    expect(answer.body.Fault.faultstring).toMatch(message);
  });

  it('reads a zone-less issueDate in the server’s own zone, as the Java server does (1 h early in winter)', async () => {
    await soap(
      axis(
        'sendInvoice',
        `<context xmlns="">${FULL_CONTEXT}</context>${invoiceXml('', { issueDate: '2026-11-27T10:00:00' })}`,
      ),
    );
    const invoice = [...sandbox.invoices.values()].at(-1);
    expect(invoice?.issuedAt).toBe('2026-11-27T09:00:00.000Z');
  });

  it('answers getPaymentStatus in schema order, with version always and a full receipt dated with millis and an offset', async () => {
    const reference = await axisInvoice();
    await sandbox.pay(reference, { notify: false });
    const paid = await soap(
      axis(
        'getPaymentStatus',
        `<context xmlns="">${FULL_CONTEXT}</context><invoiceReference xmlns="">${reference}</invoiceReference><invoiceVersion xmlns="">0</invoiceVersion>`,
      ),
    );
    const fields = (ordered.parse(paid.text) as any[])
      .find((node) => node.Envelope)
      .Envelope[0].Body[0].getPaymentStatusResponse[0].return.map((node: object) => Object.keys(node)[0]);
    expect(fields).toEqual([
      'ersReference',
      'resultCode',
      'resultDescription',
      'status',
      'receipt',
      'version',
    ]);
    const answer = returnOf(paid, 'getPaymentStatus');
    expect(answer.receipt).toMatchObject({ clientInvoiceId: 'axis-1', invoiceReference: reference });
    expect(answer.receipt.paymentDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+01:00$/);
    expect(Date.parse(answer.receipt.paymentDate)).toBe(
      Date.parse(sandbox.invoices.get(reference)?.paidAt ?? ''),
    );

    const unknown = await soap(
      axis(
        'getPaymentStatus',
        `<context xmlns="">${FULL_CONTEXT}</context><invoiceReference xmlns="">404</invoiceReference><invoiceVersion xmlns="">0</invoiceVersion>`,
      ),
    );
    expect(returnOf(unknown, 'getPaymentStatus')).toEqual({
      resultCode: '54',
      resultDescription: 'INVALID_INVOICE_REFERENCE',
      version: '0',
    });
  });

  it('refuses wrong credentials with the result codes, not a fault', async () => {
    const wrongPassword = await soap(
      axis(
        'cancelInvoice',
        `<context xmlns="">${MINIMAL_CONTEXT.replace('12345678', 'nope')}</context><invoiceReference xmlns="">1</invoiceReference>`,
      ),
    );
    expect(returnOf(wrongPassword, 'cancelInvoice').resultCode).toBe('20');
    const unknownTerminal = await soap(
      axis(
        'cancelInvoice',
        `<context xmlns="">${MINIMAL_CONTEXT.replace(TERMINAL.terminalId, 'who')}</context><invoiceReference xmlns="">1</invoiceReference>`,
      ),
    );
    expect(returnOf(unknownTerminal, 'cancelInvoice').resultCode).toBe('29');
  });
});

describe('our client against the sandbox: every request and every answer is schema-valid', () => {
  let sandbox: GlaseSandbox;
  let client: GlaseClient;
  beforeAll(async () => {
    sandbox = new GlaseSandbox();
    client = new GlaseClient({
      url: await sandbox.start(),
      credentials: async () => TERMINAL,
      clientId: 'glase-checkout-test',
      timeoutMs: 5000,
    });
  });
  afterAll(() => sandbox.stop());

  const invoice = (orderId: string): Invoice => ({
    orderId,
    issuedAt: new Date('2026-11-27T10:00:00.000Z'),
    title: 'Test Shop',
    cashierId: 'webshop',
    footer: 'Thanks',
    currency: 'SEK',
    rows: [
      {
        description: 'Mug',
        sku: 'MUG',
        ean: '7350000000012',
        quantity: 2,
        unitPriceMinor: 14900,
        discountMinor: 900,
        totalMinor: 28900,
        taxRatePercent: 25,
      },
    ],
    totalMinor: 28900,
    notificationUrl: 'http://127.0.0.1:9/notify',
  });

  it('sendInvoice, getPaymentStatus, refundPayment and cancelInvoice all pass the XSD both ways', async () => {
    const { invoiceReference } = await client.sendInvoice(invoice('ORDER-1'));
    expect(sandbox.invoices.get(invoiceReference)?.issuedAt).toBe('2026-11-27T10:00:00.000Z');
    await sandbox.pay(invoiceReference, { notify: false });
    const status = await client.getPaymentStatus({ orderId: 'ORDER-1', invoiceReference, invoiceVersion: 0 });
    const atGlase = sandbox.invoices.get(invoiceReference);
    expect(status).toEqual({
      status: 'PAID',
      version: 1,
      ersReference: atGlase?.ersReference,
      paymentReference: atGlase?.paymentReference,
      paidAt: atGlase?.paidAt, // normalised from +01:00 to UTC
    });
    const refund = await client.refundPayment({
      orderId: 'ORDER-1',
      refundId: 'R1',
      paymentErsReference: status.ersReference!,
      amountMinor: 900,
      currency: 'SEK',
      title: 'Test Shop',
      cashierId: 'webshop',
    });
    expect(refund.ersReference).toMatch(/^\d+$/);
    const second = await client.sendInvoice(invoice('ORDER-2'));
    await client.cancelInvoice('ORDER-2', second.invoiceReference);

    expect(sandbox.calls.map((call) => call.operation)).toEqual([
      'sendInvoice',
      'getPaymentStatus',
      'refundPayment',
      'sendInvoice',
      'cancelInvoice',
    ]);
    for (const call of sandbox.calls) {
      expect([call.operation, schemaErrors(call.body)]).toEqual([call.operation, []]);
      expect([call.operation, schemaErrors(call.answer ?? '')]).toEqual([call.operation, []]);
    }
  });
});

describe('hostile answers end as "Glase unavailable", and the password goes nowhere else', () => {
  let sandbox: GlaseSandbox;
  let client: GlaseClient;
  let elsewhere: Server;
  const received: string[] = [];
  let elsewhereUrl = '';
  beforeAll(async () => {
    sandbox = new GlaseSandbox();
    client = new GlaseClient({
      url: await sandbox.start(),
      credentials: async () => TERMINAL,
      clientId: 'glase-checkout-test',
      timeoutMs: 10_000,
    });
    elsewhere = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push(body);
        response.end();
      });
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`;
  });
  afterAll(async () => {
    await sandbox.stop();
    await new Promise((resolve) => elsewhere.close(resolve));
  });

  const status = () =>
    client.getPaymentStatus(
      { orderId: 'O', invoiceReference: '1397222701693', invoiceVersion: 0 },
      { maxAttempts: 1 },
    );

  it.each([
    ['an entity that spoofs the status as PAID', 'entity-spoof', /DOCTYPE/],
    ['a billion-laughs entity bomb', 'billion-laughs', /DOCTYPE/],
    ['a 10 MB answer', 'oversize', /more than we read/],
    ['a body that is not XML', 'garbage', /not well-formed/],
  ] as const)('%s', async (_name, kind, message) => {
    sandbox.injectFault({ operation: 'getPaymentStatus', kind });
    const failure = await status().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GlaseUnavailableError);
    expect((failure as Error).message).toMatch(message);
  });

  it('a 307 to another host is not followed: nothing reaches it', async () => {
    sandbox.injectFault({ operation: 'sendInvoice', kind: 'redirect', location: elsewhereUrl });
    const failure = await client
      .sendInvoice({
        orderId: 'O',
        issuedAt: new Date(),
        title: 'T',
        cashierId: 'c',
        footer: 'f',
        currency: 'SEK',
        rows: [
          {
            description: 'd',
            sku: 's',
            quantity: 1,
            unitPriceMinor: 100,
            totalMinor: 100,
            taxRatePercent: 25,
          },
        ],
        totalMinor: 100,
        notificationUrl: 'http://127.0.0.1:9/n',
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GlaseUnavailableError);
    expect((failure as Error).message).toMatch(/redirect/);
    expect(received).toEqual([]);
  });
});
