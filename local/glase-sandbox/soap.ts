import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  type ComplexType,
  ENUMS,
  ERS_NS,
  type Field,
  isOperation,
  type LeafType,
  OPERATIONS,
  type OperationName,
  SOAP_ENV,
  TYPES,
} from './protocol.js';

/**
 * SOAP as Glase's server speaks it: a JAX-WS (Apache CXF) endpoint binding with JAXB. Elements
 * are matched by namespace and name, not by position; an unknown or wrongly-namespaced element,
 * a malformed number or date, or an unknown enum literal is an unmarshalling error, which CXF
 * answers with a SOAP Fault (docs/glase/wire-schema.md, "How the server binds").
 */

export class SoapFault extends Error {
  constructor(
    readonly faultCode: 'soap:Client' | 'soap:Server',
    message: string,
  ) {
    super(message);
  }
}

export type Bound = { [name: string]: BoundValue };
export type BoundValue = string | Bound | BoundValue[];

interface Element {
  readonly ns: string;
  readonly local: string;
  readonly children: Element[];
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

/** A request envelope as the operation's name and its bound children. */
export function readRequest(xml: string): { operation: OperationName; fields: Bound } {
  if (/<!DOCTYPE/i.test(xml)) throw new SoapFault('soap:Client', 'SOAP messages must not contain a DTD');
  if (XMLValidator.validate(xml) !== true)
    throw new SoapFault('soap:Client', 'request is not well-formed XML');
  const roots = toElements(parser.parse(xml) as unknown[], {});
  const envelope = roots[0];
  if (roots.length !== 1 || !envelope || envelope.ns !== SOAP_ENV || envelope.local !== 'Envelope') {
    throw new SoapFault('soap:Client', 'root element is not a SOAP 1.1 Envelope');
  }
  const body = envelope.children.find((child) => child.ns === SOAP_ENV && child.local === 'Body');
  if (!body) throw new SoapFault('soap:Client', 'the Envelope has no Body');
  if (body.children.length !== 1) throw new SoapFault('soap:Client', 'Body must hold exactly one operation');
  const call = body.children[0] as Element;
  if (call.ns !== ERS_NS || !isOperation(call.local)) {
    throw new SoapFault('soap:Client', `Unexpected wrapper element {${call.ns}}${call.local} found.`);
  }
  return { operation: call.local, fields: bind(call, call.local) };
}

function toElements(nodes: unknown[], scope: Record<string, string>): Element[] {
  const elements: Element[] = [];
  for (const node of nodes as Record<string, unknown>[]) {
    const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text' && !key.startsWith('?'));
    if (!name) continue;
    const attributes = (node[':@'] ?? {}) as Record<string, string>;
    const inner = { ...scope };
    for (const [attribute, value] of Object.entries(attributes)) {
      if (attribute === '@_xmlns') inner[''] = value;
      else if (attribute.startsWith('@_xmlns:')) inner[attribute.slice('@_xmlns:'.length)] = value;
    }
    const colon = name.indexOf(':');
    const prefix = colon === -1 ? '' : name.slice(0, colon);
    const ns = inner[prefix];
    if (prefix && ns === undefined) throw new SoapFault('soap:Client', `unbound namespace prefix ${prefix}`);
    const content = node[name] as Record<string, unknown>[];
    elements.push({
      ns: ns ?? '',
      local: colon === -1 ? name : name.slice(colon + 1),
      children: toElements(content, inner),
      text: content.map((child) => (typeof child['#text'] === 'string' ? child['#text'] : '')).join(''),
    });
  }
  return elements;
}

function unexpected(element: Element, fields: readonly Field[]): SoapFault {
  const expected = fields.map((field) => `<{}${field.name}>`).join(',');
  return new SoapFault(
    'soap:Client',
    `Unmarshalling Error: unexpected element (uri:"${element.ns}", local:"${element.local}"). Expected elements are ${expected}`,
  );
}

/** JAXB's binding: by name in no namespace, any order; the last of a repeated single field wins. */
function bind(element: Element, type: ComplexType): Bound {
  const fields: readonly Field[] = TYPES[type];
  const bound: Bound = {};
  for (const child of element.children) {
    const field = child.ns === '' ? fields.find((candidate) => candidate.name === child.local) : undefined;
    if (!field) throw unexpected(child, fields);
    let value: BoundValue;
    if (field.item) {
      const itemField: Field = { name: field.item, type: field.type };
      value = child.children.map((item) => {
        if (item.ns !== '' || item.local !== field.item) throw unexpected(item, [itemField]);
        return bindValue(item, field.type);
      });
    } else {
      value = bindValue(child, field.type);
    }
    if (field.many) bound[field.name] = [...((bound[field.name] as BoundValue[] | undefined) ?? []), value];
    else bound[field.name] = value;
  }
  return bound;
}

const INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function bindValue(element: Element, type: LeafType | ComplexType): BoundValue {
  if (type in TYPES) return bind(element, type as ComplexType);
  if (element.children.length > 0) throw unexpected(element.children[0] as Element, []);
  if (type === 'string') return element.text;
  const value = element.text.trim();
  const refuse = (what: string) =>
    new SoapFault('soap:Client', `Unmarshalling Error: ${what} "${value}" in <${element.local}>`);
  switch (type) {
    case 'int':
    case 'long': {
      const limit = type === 'int' ? 2n ** 31n : 2n ** 63n;
      if (!INT.test(value) || BigInt(value) >= limit || BigInt(value) < -limit)
        throw refuse(`not an xs:${type}:`);
      return value;
    }
    case 'decimal':
      if (!DECIMAL.test(value)) throw refuse('not an xs:decimal:');
      return value;
    case 'dateTime':
      if (!DATE_TIME.test(value)) throw refuse('not an xs:dateTime:');
      return value;
    default:
      if (!(ENUMS[type as keyof typeof ENUMS] as readonly string[]).includes(value))
        throw refuse(`not a ${type} literal:`);
      return value;
  }
}

/** An answer's `return`, every element in its xs:sequence order; minOccurs="1" ones always written. */
export function writeAnswer(operation: OperationName, fields: Bound): string {
  const body = `<ns2:${operation}Response xmlns:ns2="${ERS_NS}">${writeElement('return', OPERATIONS[operation], fields)}</ns2:${operation}Response>`;
  return envelope(body);
}

export function writeFault(fault: SoapFault): string {
  return envelope(
    `<soap:Fault><faultcode>${fault.faultCode}</faultcode><faultstring>${escapeXml(fault.message)}</faultstring></soap:Fault>`,
  );
}

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP_ENV}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function writeElement(name: string, type: ComplexType, value: Bound): string {
  let inner = '';
  for (const field of TYPES[type] as readonly Field[]) {
    const given = value[field.name];
    if (given === undefined) {
      if (field.required) inner += `<${field.name}>0</${field.name}>`;
      continue;
    }
    const write = (item: BoundValue, as: string) =>
      typeof item === 'string'
        ? `<${as}>${escapeXml(item)}</${as}>`
        : writeElement(as, field.type as ComplexType, item as Bound);
    if (field.item) {
      const items = (given as BoundValue[]).map((item) => write(item, field.item as string)).join('');
      inner += `<${field.name}>${items}</${field.name}>`;
    } else if (field.many) {
      inner += (given as BoundValue[]).map((item) => write(item, field.name)).join('');
    } else {
      inner += write(given, field.name);
    }
  }
  return `<${name}>${inner}</${name}>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
