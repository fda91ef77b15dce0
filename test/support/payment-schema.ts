import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XmlDocument, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';

/**
 * A real XSD validator (libxml2, compiled to WebAssembly) loaded with the project's schema
 * artefact: `lambda/glase/schema/soap-envelope.xsd`, which imports `payment-api.xsd` and checks
 * whatever the Body holds strictly against it.
 */
const SCHEMA = fileURLToPath(new URL('../../lambda/glase/schema/soap-envelope.xsd', import.meta.url));

let validator: XsdValidator | undefined;

function load(): XsdValidator {
  if (validator) return validator;
  xmlRegisterFsInputProviders();
  const schema = XmlDocument.fromString(readSchema(), { url: SCHEMA });
  validator = XsdValidator.fromDoc(schema);
  return validator;
}

function readSchema(): string {
  return readFileSync(SCHEMA, 'utf8');
}

/** The schema's complaints about a SOAP envelope; [] when it is valid. */
export function schemaErrors(xml: string): string[] {
  const document = XmlDocument.fromString(xml);
  try {
    load().validate(document);
    return [];
  } catch (error) {
    if (!(error instanceof XmlValidateError)) throw error;
    return error.details.map((detail) => detail.message.trim());
  } finally {
    document.dispose();
  }
}
