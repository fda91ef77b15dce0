import { XMLParser } from 'fast-xml-parser';
import { GlaseUnavailableError } from '../../lambda/checkout/model/errors.js';
import type { Invoice } from '../../lambda/checkout/model/invoice.js';
import {
  buildRequest,
  invoiceChildren,
  normalizeDateTime,
  PAYMENT_API_NS,
  parseResponse,
  refundInvoiceChildren,
  SOAP_ENVELOPE_NS,
  xsDateTime,
} from '../../lambda/glase/envelope.js';
import { decodeEntities, readXml, UnreadableXmlError } from '../../lambda/glase/xml.js';
import { schemaErrors } from '../support/payment-schema.js';

const context = {
  clientId: 'glase-checkout',
  clientReference: '01JBZK3Q8N5V7W9X2Y4Z6A8B0C',
  credentials: { terminalId: 'terminal-123', password: 's3cret&<pw>' },
};

const invoice: Invoice = {
  orderId: '01JBZK3Q8N5V7W9X2Y4Z6A8B0C',
  issuedAt: new Date('2026-11-27T10:00:00.123Z'),
  title: 'Example Shop',
  cashierId: 'webshop',
  footer: 'Thank you',
  currency: 'SEK',
  rows: [
    {
      description: 'Rain jacket, M, navy',
      sku: 'JKT-M-NAVY',
      ean: '7350000000012',
      quantity: 2,
      unitPriceMinor: 89900,
      discountMinor: 10000,
      totalMinor: 169800,
      taxRatePercent: 25,
    },
  ],
  totalMinor: 169800,
  notificationUrl: 'https://shop.example/webshop/notify/01JBZK3Q8N5V7W9X2Y4Z6A8B0C?sig=abc&x=1',
};

const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: true, parseTagValue: false });
/** Element names, depth first, in document order: what the schema's xs:sequence constrains. */
function names(xml: string): string[] {
  const walk = (nodes: Record<string, unknown>[]): string[] =>
    nodes.flatMap((node) =>
      Object.keys(node)
        .filter((key) => key !== '#text' && !key.startsWith('?') && key !== ':@')
        .flatMap((key) => [key, ...walk(node[key] as Record<string, unknown>[])]),
    );
  return walk(ordered.parse(xml));
}

const sendInvoiceXml = (overrides: Partial<Invoice> = {}) =>
  buildRequest('sendInvoice', context, [['invoice', invoiceChildren({ ...invoice, ...overrides })]]);

describe('requests are exactly the schema (lambda/glase/schema/payment-api.xsd)', () => {
  const requests = {
    sendInvoice: sendInvoiceXml(),
    getPaymentStatus: buildRequest('getPaymentStatus', context, [
      ['invoiceReference', '1397222701693'],
      ['invoiceVersion', 3],
    ]),
    cancelInvoice: buildRequest('cancelInvoice', context, [['invoiceReference', '1397222701693']]),
    refundPayment: buildRequest('refundPayment', context, [
      ['ersReference', '1397222701999'],
      [
        'invoice',
        refundInvoiceChildren({
          title: 'Example Shop',
          orderId: invoice.orderId,
          amountMinor: 4900,
          currency: 'SEK',
          cashierId: 'webshop',
        }),
      ],
    ]),
  };

  it.each(Object.entries(requests))('%s validates against the XSD', (_operation, xml) => {
    expect(schemaErrors(xml)).toEqual([]);
  });

  it('the validator is real: the order the client used to write is refused', () => {
    const old = requests.sendInvoice.replace(
      '<currency>SEK</currency><value>1698.00</value>',
      '<value>1698.00</value><currency>SEK</currency>',
    );
    expect(schemaErrors(old).join('\n')).toMatch(/Element 'currency': This element is not expected/);
    const foreign = requests.cancelInvoice.replace('<invoiceReference>', '<ext:invoiceReference>');
    expect(schemaErrors(foreign.replace('</invoiceReference>', '</ext:invoiceReference>'))).not.toEqual([]);
    const extra = requests.sendInvoice.replace(
      '</notificationUrl>',
      '</notificationUrl><commitReservationTimeout>60</commitReservationTimeout>',
    );
    expect(schemaErrors(extra).join('\n')).toMatch(/commitReservationTimeout/);
  });

  it('writes every element in xs:sequence order: amounts currency then value, rows and invoice in schema order', () => {
    expect(names(requests.sendInvoice).slice(names(requests.sendInvoice).indexOf('invoice'))).toEqual([
      'invoice',
      'paymentMode',
      'acknowledgmentMode',
      'issueDate',
      'title',
      'clientInvoiceId',
      'invoiceRows',
      'invoiceRow',
      'itemDescription',
      'itemDiscount',
      'currency',
      'value',
      'itemEAN',
      'itemQuantity',
      'itemSKU',
      'itemTaxRate',
      'itemTotalAmount',
      'currency',
      'value',
      'itemUnitPrice',
      'currency',
      'value',
      'totalAmount',
      'currency',
      'value',
      'cashierId',
      'footer',
      'notificationUrl',
    ]);
    expect(
      names(requests.refundPayment).slice(names(requests.refundPayment).indexOf('ersReference')),
    ).toEqual([
      'ersReference',
      'invoice',
      'title',
      'clientInvoiceId',
      'totalAmount',
      'currency',
      'value',
      'cashierId',
    ]);
    expect(names(requests.getPaymentStatus)).toEqual([
      'soapenv:Envelope',
      'soapenv:Header',
      'soapenv:Body',
      'ext:getPaymentStatus',
      'context',
      'channel',
      'clientId',
      'clientReference',
      'clientRequestTimeout',
      'initiatorPrincipalId',
      'id',
      'type',
      'password',
      'invoiceReference',
      'invoiceVersion',
    ]);
  });

  it('dates carry their zone: issueDate is UTC with Z', () => {
    expect(requests.sendInvoice).toContain('<issueDate>2026-11-27T10:00:00Z</issueDate>');
    expect(xsDateTime(new Date('2026-07-01T23:59:59.999Z'))).toBe('2026-07-01T23:59:59Z');
  });

  it('declares the operation namespace on the envelope and leaves children in no namespace', () => {
    const xml = requests.cancelInvoice;
    expect(xml).toContain(`xmlns:soapenv="${SOAP_ENVELOPE_NS}"`);
    expect(xml).toContain(`xmlns:ext="${PAYMENT_API_NS}"`);
    expect(xml).toContain('<ext:cancelInvoice><context>');
    expect(xml).not.toMatch(/ xmlns="/);
  });

  it('leaves out what a row does not have (no empty itemDiscount or itemEAN)', () => {
    const [row] = invoice.rows;
    const xml = sendInvoiceXml({
      rows: [{ ...row!, ean: undefined, discountMinor: undefined, totalMinor: 179800 }],
      totalMinor: 179800,
    });
    expect(xml).not.toMatch(/itemDiscount|itemEAN/);
    expect(schemaErrors(xml)).toEqual([]);
  });

  it('escapes every value so hostile text stays text', () => {
    const hostile = `Ann <O'Neil> & Co "quoted" ]]> <![CDATA[x]]> </title><password>leak</password>`;
    const xml = sendInvoiceXml({ title: hostile, footer: '&amp; already escaped' });
    expect(schemaErrors(xml)).toEqual([]);
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
    expect(schemaErrors(xml)).toEqual([]);
    expect(xml).toContain('<title>Shop name </title>');
  });

  it('caps clientReference at the 32 characters Glase allows', () => {
    const xml = buildRequest('cancelInvoice', { ...context, clientReference: 'x'.repeat(40) }, [
      ['invoiceReference', '1'],
    ]);
    expect(xml).toContain(`<clientReference>${'x'.repeat(32)}</clientReference>`);
  });
});

describe('dates from Glase are stored in one UTC form', () => {
  it.each([
    ['2015-10-29T10:18:48.663+01:00', '2015-10-29T09:18:48.663Z'],
    ['2015-10-29T10:18:48.663-05:30', '2015-10-29T15:48:48.663Z'],
    ['2015-10-29T10:18:48Z', '2015-10-29T10:18:48.000Z'],
    ['2015-10-29T10:18:48.6639+02:00', '2015-10-29T08:18:48.663Z'],
    ['2015-10-29T10:18:48', '2015-10-29T10:18:48.000Z'],
  ])('%s → %s', (given, stored) => {
    expect(normalizeDateTime(given)).toBe(stored);
  });

  it.each(['', 'yesterday', '2015-10-29', '2015-13-45T99:99:99Z'])('%j is no date', (given) => {
    expect(normalizeDateTime(given)).toBeUndefined();
  });
});

describe('answers are read, and hostile ones refused', () => {
  const response = (prefix: string, body: string) =>
    `<${prefix}Envelope xmlns:${prefix.slice(0, -1)}="${SOAP_ENVELOPE_NS}"><${prefix}Body>${body}</${prefix}Body></${prefix}Envelope>`;

  it.each([
    ['soap:', 'ns2:'],
    ['S:', 'ns3:'],
    ['env:', 'glase:'],
  ])('reads the return whatever the prefixes (%s %s)', (envPrefix, opPrefix) => {
    const xml = response(
      envPrefix,
      `<${opPrefix}sendInvoiceResponse xmlns:${opPrefix.slice(0, -1)}="${PAYMENT_API_NS}"><return><resultCode>0</resultCode><resultDescription>SUCCESS &amp; more</resultDescription><invoiceReference>1397222701693</invoiceReference></return></${opPrefix}sendInvoiceResponse>`,
    );
    expect(parseResponse('sendInvoice', xml)).toEqual({
      resultCode: '0',
      resultDescription: 'SUCCESS & more',
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
    [
      'a DOCTYPE spoofing the resultCode',
      `<!DOCTYPE e [<!ENTITY ok "0">]>${response('soap:', '<ns2:sendInvoiceResponse><return><resultCode>&ok;</resultCode><invoiceReference>1</invoiceReference></return></ns2:sendInvoiceResponse>')}`,
    ],
    [
      'an undefined entity',
      response(
        'soap:',
        '<ns2:sendInvoiceResponse><return><resultCode>&zero;</resultCode></return></ns2:sendInvoiceResponse>',
      ),
    ],
  ])('treats %s as Glase unavailable, not as an answer', (_name, xml) => {
    expect(() => parseResponse('sendInvoice', xml)).toThrow(GlaseUnavailableError);
  });

  it('decodes only the predefined entities and character references', () => {
    expect(decodeEntities('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;')).toBe(
      `a <b> & "c" 'd' AB`,
    );
    expect(() => decodeEntities('&s;')).toThrow(UnreadableXmlError);
    expect(() => decodeEntities('&#x110000;')).toThrow(UnreadableXmlError);
  });

  it('refuses any DOCTYPE before parsing, however it is written', () => {
    for (const doctype of [
      '<!DOCTYPE x>',
      '<!doctype x>',
      '<!DOCTYPE x SYSTEM "http://evil.example/x.dtd">',
    ]) {
      expect(() => readXml(`${doctype}<x/>`)).toThrow(/DOCTYPE/);
    }
  });
});
