import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The little XML this adapter needs: a writer whose element order is exactly the order the
 * caller lists (so requests follow the schema's xs:sequence), and a reader hardened for
 * answers from the network.
 */

export type XmlContent = string | number | readonly XmlChild[];
/** An element: its name and content; `undefined` content leaves it out (minOccurs="0"). */
export type XmlChild = readonly [name: string, content: XmlContent | undefined];

// XML 1.0 cannot carry these code points at all, escaped or not; drop them rather than send
// Glase a document it must reject.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function escapeText(value: string): string {
  return value.replace(NOT_XML_CHAR, '').replace(/[&<>]/g, (char) => ESCAPES[char] ?? char);
}

export function element(name: string, content: XmlContent): string {
  if (typeof content === 'string' || typeof content === 'number') {
    return `<${name}>${escapeText(String(content))}</${name}>`;
  }
  const inner = content.map(([child, value]) => (value === undefined ? '' : element(child, value))).join('');
  return `<${name}>${inner}</${name}>`;
}

/** Raised for an answer the reader refuses; the client reports it as Glase unavailable. */
export class UnreadableXmlError extends Error {
  override readonly name = 'UnreadableXmlError';
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes the five predefined entities and character references, nothing else: no DTD is ever
 * read, so no entity can be defined, and an undefined one makes the document unreadable.
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][\w.-]*);/g, (_match, entity: string) => {
    if (entity.startsWith('#')) {
      const code = entity[1] === 'x' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      if (!Number.isInteger(code) || code > 0x10ffff) throw new UnreadableXmlError('bad character reference');
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[entity];
    if (value === undefined) throw new UnreadableXmlError(`undefined entity &${entity};`);
    return value;
  });
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  // Entities are ours to decode (above): a DTD can never define one.
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name, value) => decodeEntities(value),
});

/**
 * Parses an answer into plain objects, namespace prefixes removed. SOAP 1.1 forbids a DOCTYPE
 * in a message, and one is how entity bombs and spoofed values arrive: refused before parsing.
 */
export function readXml(xml: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new UnreadableXmlError('the answer carries a DOCTYPE');
  if (xml.trim() === '' || XMLValidator.validate(xml) !== true)
    throw new UnreadableXmlError('the answer is not well-formed XML');
  try {
    return asRecord(parser.parse(xml));
  } catch (error) {
    if (error instanceof UnreadableXmlError) throw error;
    throw new UnreadableXmlError('the answer could not be parsed');
  }
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
