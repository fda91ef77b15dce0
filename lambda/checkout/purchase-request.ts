import { z } from 'zod';
import { InvalidInputError } from './errors.js';
import { PURCHASE_TOKEN } from './product.js';

/**
 * The createPurchase body exactly as Glase's Instant Checkout document describes it.
 * Required fields are trimmed and capped; `state` and `msisdn` may be missing or empty
 * (Glase's own curl sample omits `msisdn`). Unknown fields are dropped, never echoed.
 */
const text = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    // Control characters have no business in a postal address and break receipts.
    .refine((value) => !/\p{Cc}/u.test(value), { error: 'must not contain control characters' });

const optionalText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => !/\p{Cc}/u.test(value), { error: 'must not contain control characters' })
    // Glase's sample sends "" and its curl omits the field; null is taken as the same thing.
    .nullish()
    .transform((value) => value ?? '');

export const purchaseRequestSchema = z.object({
  purchaseToken: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(PURCHASE_TOKEN, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' }),
  clientName: text(100),
  street: text(200),
  city: text(100),
  country: text(100),
  state: optionalText(100),
  zip: text(20),
  email: text(254).pipe(z.email({ error: 'must be an e-mail address' })),
  msisdn: optionalText(20).refine((value) => value === '' || /^\+?[0-9 ()-]{5,20}$/.test(value), {
    error: 'must be a phone number',
  }),
});

export type PurchaseRequest = z.infer<typeof purchaseRequestSchema>;
export type Customer = Omit<PurchaseRequest, 'purchaseToken'>;

/** Parses an untrusted body; throws InvalidInputError naming every wrong field. */
export function parsePurchaseRequest(body: unknown): PurchaseRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError([{ field: 'body', message: 'must be a JSON object' }]);
  }
  const result = purchaseRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : 'body',
    message: issue.message,
  }));
  throw new InvalidInputError(issues);
}
