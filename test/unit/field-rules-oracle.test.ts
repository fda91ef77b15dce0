import fc from 'fast-check';
import * as z from 'zod/mini';
import { InvalidInputError } from '../../lambda/checkout/model/errors.js';
import { checkCatalogEntry } from '../../lambda/checkout/model/product.js';
import { parsePurchaseRequest } from '../../lambda/checkout/model/purchase-request.js';
import { propertyRuns } from '../support/property-runs.js';

/**
 * The hand-written field rules replaced zod schemas that had been in production: these are the
 * old schemas, kept here as the oracle. Generated bodies must get the same verdict, the same
 * output and the same {field, message} list from both (where zod spoke in our words).
 */
// Written from Unicode's own properties, apart from the rule's code: non-characters by property.
const FORBIDDEN =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Noncharacter_Code_Point}\u2028\u2029\u115F\u1160\u3164\uFFA0\u2800]/u;
const TOKEN = /^[A-Za-z0-9._-]{1,64}$/;
const noControl = z.refine<string>((value) => !FORBIDDEN.test(value), {
  error: 'must not contain control, invisible, private-use, non- or blank-looking characters',
});
const requiredString = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
const text = (max: number) =>
  requiredString().check(
    z.trim(),
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(max, { error: `must be at most ${max} characters` }),
    noControl,
  );
const optionalText = (max: number, rule?: { test: (value: string) => boolean; error: string }) =>
  z.pipe(
    z.nullish(
      z
        .string({ error: 'must be a string' })
        .check(
          z.trim(),
          z.maxLength(max, { error: `must be at most ${max} characters` }),
          noControl,
          ...(rule
            ? [z.refine<string>((value) => value === '' || rule.test(value), { error: rule.error })]
            : []),
        ),
    ),
    z.transform((value) => value ?? ''),
  );
const oldPurchaseRequest = z.object({
  purchaseToken: requiredString().check(
    z.regex(TOKEN, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' }),
  ),
  clientName: text(100),
  street: text(200),
  city: text(100),
  country: text(100),
  state: optionalText(100),
  zip: text(20),
  email: z.pipe(text(254), z.email({ error: 'must be an e-mail address' })),
  msisdn: optionalText(20, {
    test: (value) => /^\+?[0-9 ()-]{5,20}$/.test(value),
    error: 'must be a phone number',
  }),
});
const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .int({ error: 'must be a whole number' })
    .check(
      z.minimum(min, { error: `must be at least ${min}` }),
      z.maximum(max, { error: `must be at most ${max}` }),
    );
const oldCatalogEntry = z.object({
  purchaseToken: z.string().check(z.regex(TOKEN, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' })),
  sku: z.string().check(z.trim(), z.minLength(1, { error: 'is required' }), z.maxLength(64), noControl),
  description: z.string().check(
    z.trim(),
    z.minLength(1, { error: 'is required' }),
    z.maxLength(200),
    z.refine<string>((value) => !FORBIDDEN.test(value.replace(/[\r\n]/g, ' ')), {
      error: 'must not contain control, invisible, private-use, non- or blank-looking characters',
    }),
  ),
  unitPriceMinor: wholeNumber(0),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as SEK' })),
  taxRatePercent: wholeNumber(0, 100),
  ean: z.optional(z.string().check(z.regex(/^\d{8,14}$/, { error: 'must be 8-14 digits' }))),
  onHand: wholeNumber(0),
});

const issuesOf = (issues: readonly { path: PropertyKey[]; message: string }[]) =>
  issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message }));

const pieces = [
  '',
  ' ',
  'a',
  'Å',
  'é',
  '@',
  '.',
  '..',
  '+',
  '-',
  '_',
  '1',
  '0',
  '(',
  'x'.repeat(30),
  '\u202e',
  '\u0007',
  '\u2028',
  '\u200b',
  'com',
  'se',
  "'",
  '\ud800',
];
const string = fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((parts) => parts.join(''));
const emailLike = fc
  .tuple(string, fc.constantFrom('@', '', '@@'), string, fc.constantFrom('.se', '.c', '', '.com.'))
  .map((parts) => parts.join(''));
const value = (strings: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 8, arbitrary: strings },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 42, true, ['a'], {}) },
  );
const purchaseBody = fc.record(
  {
    purchaseToken: value(fc.oneof(string, fc.constantFrom('29834231890234', 'A.b-c_9', 'x'.repeat(65)))),
    clientName: value(string),
    street: value(string),
    city: value(string),
    country: value(string),
    state: value(string),
    zip: value(string),
    email: value(
      fc.oneof(
        emailLike,
        fc.constantFrom(
          'very.happy@shopping.com',
          ' a@b.se ',
          '.a@b.se',
          'a..b@c.se',
          'a.@b.se',
          'a@-b.se',
          'a@b.s',
          "o'neil+x@b-c.se",
        ),
      ),
    ),
    msisdn: value(fc.oneof(string, fc.constantFrom('+46 70-123 45 67', '(08) 123', '1234'))),
    extra: value(string),
  },
  { requiredKeys: [] },
);

describe('hand-written field rules give the verdicts the zod schemas gave', () => {
  it('createPurchase bodies', () => {
    fc.assert(
      fc.property(purchaseBody, (body) => {
        const old = oldPurchaseRequest.safeParse(body);
        let ours: unknown;
        try {
          ours = { ok: true, value: parsePurchaseRequest(body) };
        } catch (error) {
          if (!(error instanceof InvalidInputError)) throw error;
          ours = { ok: false, issues: error.issues };
        }
        expect(ours).toEqual(
          old.success ? { ok: true, value: old.data } : { ok: false, issues: issuesOf(old.error.issues) },
        );
      }),
      { numRuns: propertyRuns(3000) },
    );
  });

  it('catalog rows (verdicts and output; zod’s own wording for a wrong type is not ours)', () => {
    const number = fc.oneof(
      fc.integer({ min: -5, max: 120 }),
      fc.constantFrom(1.5, Number.NaN, '12', undefined),
    );
    const row = fc.record(
      {
        purchaseToken: value(fc.oneof(string, fc.constantFrom('JKT-1', 'x'.repeat(65)))),
        sku: value(fc.oneof(string, fc.constant('s'.repeat(65)))),
        description: value(string),
        unitPriceMinor: number,
        currency: value(fc.constantFrom('SEK', 'sek', 'EURO', '')),
        taxRatePercent: number,
        ean: fc.constantFrom(undefined, '12345678', '1234567', 'abcdefgh', ''),
        onHand: number,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(row, (candidate) => {
        const old = oldCatalogEntry.safeParse(candidate);
        const ours = checkCatalogEntry(candidate);
        expect(ours.ok).toBe(old.success);
        if (ours.ok && old.success) expect(ours.value).toEqual(old.data);
        if (!ours.ok && !old.success) {
          expect(ours.issues.map((issue) => issue.field)).toEqual(
            issuesOf(old.error.issues).map((issue) => issue.field),
          );
        }
      }),
      { numRuns: propertyRuns(3000) },
    );
  });
});
