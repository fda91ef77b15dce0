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

/** XML 1.0's Char production: what a character reference may stand for. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * Decodes the five predefined entities and character references, nothing else: no DTD is ever
 * read, so no entity can be defined, and an undefined one makes the document unreadable.
 */
export function decodeEntities(text: string): string {
  if (/&(?!#x[0-9a-fA-F]+;|#[0-9]+;|[A-Za-z][\w.-]*;)/.test(text)) {
    throw new UnreadableXmlError('a bare & in text');
  }
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][\w.-]*);/g, (_match, entity: string) => {
    if (entity.startsWith('#')) {
      const code = entity[1] === 'x' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      if (!isXmlChar(code)) throw new UnreadableXmlError('a character reference to no XML character');
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[entity];
    if (value === undefined) throw new UnreadableXmlError(`undefined entity &${entity};`);
    return value;
  });
}

/** A SOAP answer is a few levels deep; anything deeper is not one. */
const MAX_DEPTH = 32;
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;
const XML_DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][\w.-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;
const ATTRIBUTES = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

interface Open {
  readonly name: string;
  readonly children: Record<string, unknown>;
  text: string;
  hasChildren: boolean;
}

/**
 * Reads an answer into plain objects keyed by local name (prefixes removed): an element with
 * children becomes an object, one without a string (trimmed), repeated siblings an array;
 * attributes are checked and dropped. Strict where it matters for answers from the network: it
 * refuses any DOCTYPE or processing instruction (SOAP 1.1 forbids them, and they are how entity
 * bombs and spoofed values arrive), undefined entities, mismatched tags, text outside the root,
 * more than one root, and nesting deeper than any Payment API answer.
 */
export function readXml(xml: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new UnreadableXmlError('the answer carries a DOCTYPE');
  const root: Open = { name: '', children: {}, text: '', hasChildren: false };
  const stack: Open[] = [root];
  let position = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (xml.startsWith('<?xml', position)) {
    const declaration = XML_DECLARATION.exec(xml.slice(position));
    if (!declaration)
      throw new UnreadableXmlError('the answer is not well-formed XML: a malformed XML declaration');
    position += declaration[0].length;
  }
  let sawRoot = false;
  const fail = (why: string): never => {
    throw new UnreadableXmlError(`the answer is not well-formed XML: ${why}`);
  };
  while (position < xml.length) {
    const next = xml.indexOf('<', position);
    const text = xml.slice(position, next === -1 ? xml.length : next);
    const current = stack[stack.length - 1] as Open;
    if (text.trim() !== '') {
      if (current === root) fail('text outside the root element');
      current.text += decodeEntities(text);
    }
    if (next === -1) break;
    if (xml.startsWith('<!--', next)) {
      const end = xml.indexOf('-->', next + 4);
      if (end === -1) fail('an unclosed comment');
      position = end + 3;
    } else if (xml.startsWith('<![CDATA[', next)) {
      const end = xml.indexOf(']]>', next + 9);
      if (end === -1 || current === root) fail('a misplaced CDATA section');
      current.text += xml.slice(next + 9, end);
      position = end + 3;
    } else if (xml.startsWith('</', next)) {
      const end = xml.indexOf('>', next);
      const name = xml.slice(next + 2, end === -1 ? undefined : end).trim();
      if (end === -1 || current === root || name !== current.name) fail(`an unexpected </${name}>`);
      stack.pop();
      close(current, stack[stack.length - 1] as Open);
      position = end + 1;
    } else if (xml[next + 1] === '?' || xml[next + 1] === '!') {
      fail('a processing instruction or declaration');
    } else {
      const nameEnd = next + 1 + (/^[^\s/>]*/.exec(xml.slice(next + 1))?.[0].length ?? 0);
      const name = xml.slice(next + 1, nameEnd);
      if (!NAME.test(name)) fail(`a bad element name "${name.slice(0, 40)}"`);
      if (current === root && sawRoot) fail('a second root element');
      let cursor = nameEnd;
      const seen = new Set<string>();
      for (;;) {
        ATTRIBUTES.lastIndex = cursor;
        const attribute = ATTRIBUTES.exec(xml);
        if (!attribute) break;
        const [, attributeName = '', double, single] = attribute;
        if (seen.has(attributeName)) fail(`attribute ${attributeName} twice`);
        seen.add(attributeName);
        decodeEntities(double ?? single ?? '');
        cursor = ATTRIBUTES.lastIndex;
      }
      const tail = /^\s*(\/?)>/.exec(xml.slice(cursor));
      if (!tail) fail(`a malformed <${name}> tag`);
      const element: Open = { name, children: {}, text: '', hasChildren: false };
      if (current === root) sawRoot = true;
      if ((tail as RegExpExecArray)[1]) close(element, current);
      else {
        if (stack.length > MAX_DEPTH) fail('nesting deeper than any Payment API answer');
        stack.push(element);
      }
      position = cursor + (tail as RegExpExecArray)[0].length;
    }
  }
  if (stack.length > 1) fail(`<${(stack[stack.length - 1] as Open).name}> is never closed`);
  if (!sawRoot) fail('no root element');
  return root.children;
}

/** Hangs a finished element on its parent, by local name; a repeated name becomes an array. */
function close(element: Open, parent: Open): void {
  const local = element.name.slice(element.name.indexOf(':') + 1);
  const text = element.text.trim();
  // Mixed content (never in a Payment API answer) keeps its text beside the children.
  if (element.hasChildren && text) element.children['#text'] = text;
  const value = element.hasChildren ? element.children : text;
  const earlier = parent.children[local];
  parent.children[local] =
    earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  parent.hasChildren = true;
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
