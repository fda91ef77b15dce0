import { InvalidInputError } from './errors.js';
import { FieldReader, matches, SHOWN_TEXT, type TextRules } from './fields.js';
import { PURCHASE_TOKEN_RULE } from './product.js';

/** What a person reads (fields.ts: SHOWN_TEXT). */
const noForbiddenCharacters = SHOWN_TEXT;
/** Letters, digits and the usual punctuation before the @; dot-separated labels and a TLD after. */
const EMAIL = /^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+.-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

const text = (max: number, then?: TextRules['then']): TextRules => ({
  empty: 'must not be empty',
  max,
  rules: [noForbiddenCharacters],
  then,
});

/**
 * The createPurchase body exactly as Glase's Instant Checkout document describes it.
 * Required fields are trimmed and capped; `state` and `msisdn` may be missing, null or empty
 * (Glase's own curl sample omits `msisdn`). Unknown fields are dropped, never echoed.
 */
export interface PurchaseRequest {
  readonly purchaseToken: string;
  readonly clientName: string;
  readonly street: string;
  readonly city: string;
  readonly country: string;
  readonly state: string;
  readonly zip: string;
  readonly email: string;
  readonly msisdn: string;
}
export type Customer = Omit<PurchaseRequest, 'purchaseToken'>;

/** The customer's fields in one fixed order for output, whatever order storage returned. */
export function customerFields(customer: Customer): Customer {
  const { clientName, email, msisdn, street, zip, city, state, country } = customer;
  return { clientName, email, msisdn, street, zip, city, state, country };
}

/** Parses an untrusted body; throws InvalidInputError naming every wrong field. */
export function parsePurchaseRequest(body: unknown): PurchaseRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError([{ field: 'body', message: 'must be a JSON object' }]);
  }
  const read = new FieldReader(body as Record<string, unknown>);
  const request: PurchaseRequest = {
    purchaseToken: read.text('purchaseToken', { trim: false, rules: [PURCHASE_TOKEN_RULE] }),
    clientName: read.text('clientName', text(100)),
    street: read.text('street', text(200)),
    city: read.text('city', text(100)),
    country: read.text('country', text(100)),
    state: read.optionalText('state', { max: 100, rules: [noForbiddenCharacters] }),
    zip: read.text('zip', text(20)),
    email: read.text('email', text(254, matches(EMAIL, 'must be an e-mail address'))),
    msisdn: read.optionalText('msisdn', {
      max: 20,
      rules: [noForbiddenCharacters, matches(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number')],
    }),
  };
  if (read.issues.length > 0) throw new InvalidInputError(read.issues);
  return request;
}
