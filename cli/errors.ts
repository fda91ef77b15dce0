import { CheckoutError } from '../lambda/checkout/model/errors.js';

/**
 * The CLI's own refusals, in a module of their own: `main.ts` maps them to exit codes without
 * loading what throws them (the AWS clients load only when a command needs them).
 */

/** A refusal to even start: nothing to connect to. Exit code 1, one clear line. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/** A catalog file that cannot be read as a catalog at all: nothing in it was looked at. */
export class CatalogFileError extends CheckoutError {
  readonly code = 'BAD_CATALOG_FILE';
}

/** No source map to read a stack trace with: nothing synthesized, or another function's. */
export class NoSourceMapError extends CheckoutError {
  readonly code = 'NO_SOURCE_MAP';
}
