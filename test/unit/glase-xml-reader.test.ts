import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readXml, UnreadableXmlError } from '../../lambda/glase/xml.js';
import { propertyRuns } from '../support/property-runs.js';

/**
 * Our reader (lambda/glase/xml.ts) against fast-xml-parser, a mature parser used here only as
 * an oracle: on well-formed documents they read the same thing, and ours never takes a document
 * fast-xml-parser's validator refuses.
 */
const oracle = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

/** What the oracle read, less the XML declaration it keeps as a key. */
function oracleRead(xml: string): unknown {
  const { '?xml': _declaration, ...read } = oracle.parse(xml) as Record<string, unknown>;
  return read;
}

type Node = { name: string; prefix: string; attributes: [string, string][]; content: string | Node[] };

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (text: string) => escapeText(text).replace(/"/g, '&quot;');

function write(node: Node): string {
  const name = node.prefix ? `${node.prefix}:${node.name}` : node.name;
  const attributes = node.attributes.map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`).join('');
  if (typeof node.content === 'string') {
    return node.content === '' && node.attributes.length === 0
      ? `<${name}${attributes}/>`
      : `<${name}${attributes}>${escapeText(node.content)}</${name}>`;
  }
  return `<${name}${attributes}>${node.content.map(write).join('')}</${name}>`;
}

const name = fc.constantFrom('return', 'resultCode', 'status', 'value', 'invoiceRow', 'a', 'b_1', 'x.y');
const prefix = fc.constantFrom('', '', 'ns2', 'soap', 'S');
const attribute = fc.tuple(
  fc.constantFrom('xmlns:ns2', 'xmlns', 'id', 'xsi:nil'),
  fc.string({ maxLength: 8 }),
);
const content = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', '"', "'", 'å', '€', '\n'),
  maxLength: 12,
});
const { tree } = fc.letrec((tie) => ({
  tree: fc.record({
    name,
    prefix,
    attributes: fc.uniqueArray(attribute, { maxLength: 2, selector: ([key]) => key }),
    content: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      content,
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
    ),
  }) as fc.Arbitrary<Node>,
}));
const document = tree.map((root) => `<?xml version="1.0" encoding="UTF-8"?>${write(root)}`);

describe('the Payment API answer reader', () => {
  it('reads every well-formed document exactly as fast-xml-parser does', () => {
    fc.assert(
      fc.property(document, (xml) => {
        expect(XMLValidator.validate(xml)).toBe(true);
        expect(readXml(xml)).toEqual(oracleRead(xml));
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('never accepts a corrupted document that fast-xml-parser’s validator refuses', () => {
    fc.assert(
      fc.property(
        document,
        fc.nat(),
        fc.constantFrom('', '<', '>', '&', '/', '"', '</x>', '<y>'),
        (xml, at, insert) => {
          const index = at % xml.length;
          const broken = xml.slice(0, index) + insert + xml.slice(index + (insert === '' ? 1 : 0));
          let ours: unknown;
          try {
            ours = readXml(broken);
          } catch (error) {
            expect(error).toBeInstanceOf(UnreadableXmlError);
            return;
          }
          expect(XMLValidator.validate(broken)).toBe(true);
          expect(ours).toEqual(oracleRead(broken));
        },
      ),
      { numRuns: propertyRuns(1000) },
    );
  });

  it.each([
    ['nothing', ''],
    ['no root', '<?xml version="1.0"?>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', 'hello<a/>'],
    ['an unclosed element', '<a><b></b>'],
    ['a mismatched end tag', '<a></b>'],
    ['a bare ampersand', '<a>fish & chips</a>'],
    ['an undefined entity', '<a>&nbsp;</a>'],
    ['a reference to no XML character', '<a>&#0;</a>'],
    ['a DOCTYPE', '<!DOCTYPE a><a/>'],
    ['a processing instruction', '<a><?php echo 1 ?></a>'],
    ['an attribute twice', '<a id="1" id="2"/>'],
    ['an unquoted attribute', '<a id=1/>'],
    ['a < in an attribute', '<a id="<"/>'],
    ['an unclosed comment', '<a><!-- x </a>'],
    ['nesting 40 deep', `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`],
  ])('refuses %s', (_name, xml) => {
    expect(() => readXml(xml)).toThrow(UnreadableXmlError);
  });

  // Each refusal says what is wrong: an operator reads it in the log.
  it.each([
    ['nothing', '', 'the answer is not well-formed XML: no root element'],
    ['no root', '<?xml version="1.0"?>', 'the answer is not well-formed XML: no root element'],
    ['two roots', '<a/><b/>', 'the answer is not well-formed XML: a second root element'],
    [
      'text outside the root',
      'hello<a/>',
      'the answer is not well-formed XML: text outside the root element',
    ],
    ['text after the root', '<a/>tail', 'the answer is not well-formed XML: text outside the root element'],
    ['an unclosed element', '<a><b></b>', 'the answer is not well-formed XML: <a> is never closed'],
    ['a mismatched end tag', '<a></b>', 'the answer is not well-formed XML: an unexpected </b>'],
    ['an end tag that never ends', '<a></a', 'the answer is not well-formed XML: an unexpected </a>'],
    ['an end tag before any element', '</a>', 'the answer is not well-formed XML: an unexpected </a>'],
    ['a bare ampersand', '<a>fish & chips</a>', 'a bare & in text'],
    ['an undefined entity', '<a>&nbsp;</a>', 'undefined entity &nbsp;'],
    ['a reference to no XML character', '<a>&#0;</a>', 'a character reference to no XML character'],
    ['a reference to U+001F', '<a>&#x1F;</a>', 'a character reference to no XML character'],
    ['a reference to a surrogate', '<a>&#xD800;</a>', 'a character reference to no XML character'],
    ['a reference to U+FFFE', '<a>&#xFFFE;</a>', 'a character reference to no XML character'],
    ['a reference past U+10FFFF', '<a>&#x110000;</a>', 'a character reference to no XML character'],
    ['a DOCTYPE', '<!DOCTYPE a><a/>', 'the answer carries a DOCTYPE'],
    [
      'a processing instruction',
      '<a><?php echo 1 ?></a>',
      'the answer is not well-formed XML: a processing instruction or declaration',
    ],
    [
      'a declaration inside',
      '<a><!ELEMENT a ANY></a>',
      'the answer is not well-formed XML: a processing instruction or declaration',
    ],
    ['an attribute twice', '<a id="1" id="2"/>', 'the answer is not well-formed XML: attribute id twice'],
    ['an unquoted attribute', '<a id=1/>', 'the answer is not well-formed XML: a malformed <a> tag'],
    ['a < in an attribute', '<a id="<"/>', 'the answer is not well-formed XML: a malformed <a> tag'],
    ['a tag that never ends', '<a', 'the answer is not well-formed XML: a malformed <a> tag'],
    ['a bad element name', '<1a/>', 'the answer is not well-formed XML: a bad element name "1a"'],
    ['an unclosed comment', '<a><!-- x </a>', 'the answer is not well-formed XML: an unclosed comment'],
    [
      'CDATA outside the root',
      '<![CDATA[x]]><a/>',
      'the answer is not well-formed XML: a misplaced CDATA section',
    ],
    [
      'an unclosed CDATA section',
      '<a><![CDATA[x</a>',
      'the answer is not well-formed XML: a misplaced CDATA section',
    ],
    [
      'nesting 33 deep',
      `${'<a>'.repeat(33)}${'</a>'.repeat(33)}`,
      'the answer is not well-formed XML: nesting deeper than any Payment API answer',
    ],
  ])('says why it refuses %s', (_name, xml, message) => {
    let thrown: unknown;
    try {
      readXml(xml);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnreadableXmlError);
    expect(thrown).toMatchObject({ name: 'UnreadableXmlError', message });
  });

  it('reads every character XML allows at the edges of its ranges, and 32 levels deep', () => {
    expect(readXml('<a>x&#x9;&#xA;&#xD;&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;</a>')).toEqual({
      a: 'x\t\n\r \uD7FF\uE000\uFFFD\u{10000}\u{10FFFF}',
    });
    expect(readXml(`${'<a>'.repeat(32)}${'</a>'.repeat(32)}`)).toBeDefined();
    expect(readXml('<a id=\'1&amp;\' b="2"><c>3</c></a>')).toEqual({ a: { c: '3' } });
  });

  it('skips comments, reads CDATA as text, drops attributes, decodes references', () => {
    expect(
      readXml(
        '\uFEFF<?xml version="1.0"?><!-- a --><s:E xmlns:s="x"><s:B id="1"><v><![CDATA[<raw> & text]]></v><w>&#x41;&#66;&lt;&amp;</w><!-- b --></s:B></s:E>',
      ),
    ).toEqual({ E: { B: { v: '<raw> & text', w: 'AB<&' } } });
  });
});
