import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { GlaseUnavailableError } from '../../lambda/checkout/errors.js';
import type { Invoice } from '../../lambda/checkout/ports.js';
import {
  buildRequest,
  invoiceNode,
  PAYMENT_API_NS,
  parseResponse,
  SOAP_ENVELOPE_NS,
} from '../../lambda/glase/envelope.js';

const context = {
  clientId: 'glase-checkout',
  clientReference: '01JBZK3Q8N5V7W9X2Y4Z6A8B0C',
  credentials: { terminalId: 'terminal-123', password: 's3cret&<pw>' },
};

const invoice: Invoice = {
  orderId: '01JBZK3Q8N5V7W9X2Y4Z6A8B0C',
  issuedAt: new Date('2026-11-27T10:00:00.000Z'),
  title: 'Example Shop',
  cashierId: 'webshop',
  footer: 'Thank you',
  currency: 'SEK',
  rows: [
    {
      description: 'Rain jacket, M, navy',
      sku: 'JKT-M-NAVY',
      quantity: 1,
      unitPriceMinor: 89900,
      totalMinor: 89900,
      taxRatePercent: 25,
    },
  ],
  totalMinor: 89900,
  notificationUrl: 'https://shop.example/webshop/notify/01JBZK3Q8N5V7W9X2Y4Z6A8B0C?sig=abc&x=1',
};

const prefixed = new XMLParser({ ignoreAttributes: false, removeNSPrefix: false, parseTagValue: false });

function sendInvoiceXml(overrides: Partial<Invoice> = {}): string {
  return buildRequest('sendInvoice', context, { invoice: invoiceNode({ ...invoice, ...overrides }) });
}

describe('sendInvoice envelope', () => {
  it('has the shape payment-api.md shows: namespaces, ext: operation, unprefixed children, context first', () => {
    const xml = sendInvoiceXml();
    expect(XMLValidator.validate(xml)).toBe(true);
    const envelope = prefixed.parse(xml)['soapenv:Envelope'];
    expect(envelope['@_xmlns:soapenv']).toBe(SOAP_ENVELOPE_NS);
    expect(envelope['@_xmlns:ext']).toBe(PAYMENT_API_NS);
    const operation = envelope['soapenv:Body']['ext:sendInvoice'];
    expect(Object.keys(operation)).toEqual(['context', 'invoice']);
    expect(operation.context).toEqual({
      channel: 'WS',
      clientId: 'glase-checkout',
      clientReference: '01JBZK3Q8N5V7W9X2Y4Z6A8B0C',
      clientRequestTimeout: '0',
      initiatorPrincipalId: { id: 'terminal-123', type: 'TERMINALID' },
      password: 's3cret&<pw>',
    });
    expect(Object.keys(operation.invoice)).toEqual([
      'paymentMode',
      'acknowledgmentMode',
      'issueDate',
      'title',
      'clientInvoiceId',
      'invoiceRows',
      'totalAmount',
      'cashierId',
      'footer',
      'notificationUrl',
    ]);
    expect(operation.invoice).toMatchObject({
      paymentMode: 'IMMEDIATE_DEBIT',
      acknowledgmentMode: 'NO_ACKNOWLEDGMENT',
      issueDate: '2026-11-27T10:00:00',
      clientInvoiceId: invoice.orderId,
      totalAmount: { value: '899.00', currency: 'SEK' },
      notificationUrl: invoice.notificationUrl,
    });
    expect(operation.invoice.invoiceRows.invoiceRow).toEqual({
      itemDescription: 'Rain jacket, M, navy',
      itemQuantity: '1',
      itemSKU: 'JKT-M-NAVY',
      itemTaxRate: '25',
      itemUnitPrice: { value: '899.00', currency: 'SEK' },
      itemTotalAmount: { value: '899.00', currency: 'SEK' },
    });
  });

  it('escapes every value so hostile text stays text', () => {
    const hostile = `Ann <O'Neil> & Co "quoted" ]]> <![CDATA[x]]> </title><password>leak</password>`;
    const xml = sendInvoiceXml({ title: hostile, footer: '&amp; already escaped' });
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ removeNSPrefix: true, parseTagValue: false, processEntities: true }).parse(
      xml,
    );
    const sent = parsed.Envelope.Body.sendInvoice;
    expect(sent.invoice.title).toBe(hostile);
    expect(sent.invoice.footer).toBe('&amp; already escaped');
    expect(sent.context.password).toBe('s3cret&<pw>');
    expect(xml.match(/<password>/g)).toHaveLength(1);
  });

  it('drops code points XML cannot carry instead of producing a broken document', () => {
    const xml = sendInvoiceXml({ title: 'Shop\u0000\u0007\u001b name \uFFFE' });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<title>Shop name </title>');
  });

  it('caps clientReference at the 32 characters Glase allows', () => {
    const xml = buildRequest(
      'cancelInvoice',
      { ...context, clientReference: 'x'.repeat(40) },
      { invoiceReference: '1' },
    );
    expect(xml).toContain(`<clientReference>${'x'.repeat(32)}</clientReference>`);
  });
});

describe('response parsing', () => {
  const response = (prefix: string, body: string) =>
    `<${prefix}Envelope xmlns:${prefix.slice(0, -1)}="${SOAP_ENVELOPE_NS}"><${prefix}Body>${body}</${prefix}Body></${prefix}Envelope>`;

  it.each([
    ['soap:', 'ns2:'],
    ['S:', 'ns3:'],
    ['env:', 'glase:'],
  ])('reads the return whatever the prefixes (%s %s)', (envPrefix, opPrefix) => {
    const xml = response(
      envPrefix,
      `<${opPrefix}sendInvoiceResponse xmlns:${opPrefix.slice(0, -1)}="${PAYMENT_API_NS}"><return><resultCode>0</resultCode><resultDescription>SUCCESS</resultDescription><invoiceReference>1397222701693</invoiceReference></return></${opPrefix}sendInvoiceResponse>`,
    );
    expect(parseResponse('sendInvoice', xml)).toEqual({
      resultCode: '0',
      resultDescription: 'SUCCESS',
      invoiceReference: '1397222701693',
    });
  });

  it.each([
    ['not XML', 'this is not xml'],
    ['truncated', '<soap:Envelope xmlns:soap="x"><soap:Body><ns2:sendInvoiceResponse>'],
    ['empty', ''],
    [
      'a Fault',
      `<s:Envelope xmlns:s="${SOAP_ENVELOPE_NS}"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>boom</faultstring></s:Fault></s:Body></s:Envelope>`,
    ],
    [
      'another operation',
      response(
        'soap:',
        '<ns2:cancelInvoiceResponse><return><resultCode>0</resultCode></return></ns2:cancelInvoiceResponse>',
      ),
    ],
    [
      'no resultCode',
      response('soap:', '<ns2:sendInvoiceResponse><return><x>1</x></return></ns2:sendInvoiceResponse>'),
    ],
  ])('treats %s as Glase unavailable, not as an answer', (_name, xml) => {
    expect(() => parseResponse('sendInvoice', xml)).toThrow(GlaseUnavailableError);
  });
});
