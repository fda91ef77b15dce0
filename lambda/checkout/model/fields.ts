import type { FieldIssue } from './errors.js';

export interface TextRule {
  test(value: string): boolean;
  readonly error: string;
}

/** A rule from a pattern. */
export const matches = (pattern: RegExp, error: string): TextRule => ({
  test: (value) => pattern.test(value),
  error,
});

/**
 * Characters no name, address or product text needs, that break receipts, hide what is shown or
 * cannot travel: control characters, invisible formatting (bidi overrides such as U+202E,
 * zero-width characters, BOM), lone surrogates (not even storable as UTF-8), the line and
 * paragraph separators, private-use characters (they mean nothing outside one font), Unicode's
 * non-characters (U+FDD0–FDEF and the last two of every plane, U+FFFE/FFFF among them, which XML
 * cannot carry), and the fillers that look blank (Hangul fillers U+115F, U+1160, U+3164, U+FFA0,
 * the blank Braille pattern U+2800): a name made of them looks like no name at all.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\u2028\u2029\uFDD0-\uFDEF\u115F\u1160\u3164\uFFA0\u2800]/u;

export function hasForbiddenCharacter(value: string): boolean {
  if (FORBIDDEN.test(value)) return true;
  return hasNonCharacter(value);
}

function hasNonCharacter(value: string): boolean {
  for (const char of value) {
    // U+FFFE, U+FFFF, U+1FFFE, U+1FFFF … U+10FFFF.
    if (((char.codePointAt(0) ?? 0) & 0xfffe) === 0xfffe) return true;
  }
  return false;
}

/** The rule every text a person reads (names, addresses, product texts) goes through. */
export const SHOWN_TEXT: TextRule = {
  test: (value) => !hasForbiddenCharacter(value),
  error: 'must not contain control, invisible, private-use, non- or blank-looking characters',
};

/** The same, with line breaks allowed: a product description may run over lines, as Excel keeps it. */
export const SHOWN_LINES: TextRule = {
  test: (value) => !hasForbiddenCharacter(value.replace(/\r\n|[\r\n]/g, ' ')),
  error: SHOWN_TEXT.error,
};

export interface TextRules {
  /** Trimmed before every check (and returned trimmed) unless false. */
  readonly trim?: boolean;
  /** What an empty value is told; without it, emptiness is left to `rules`. */
  readonly empty?: string;
  /** Longest allowed, after trimming. */
  readonly max?: number;
  /** Checked together, each failure reported (an optional field's empty value is exempt). */
  readonly rules?: readonly TextRule[];
  /** Checked only once everything above has passed: one message, not a pile. */
  readonly then?: TextRule;
}

/**
 * Reads untrusted fields one by one, records every problem under its field's name and goes on,
 * so one answer names everything that is wrong. Hand-written rather than a schema library: two
 * small shapes do not need one loaded and built at every cold start.
 */
export class FieldReader {
  readonly issues: FieldIssue[] = [];
  constructor(private readonly input: Readonly<Record<string, unknown>>) {}

  /** A string that must be there. */
  text(field: string, rules: TextRules): string {
    const raw = this.input[field];
    if (raw === undefined) {
      this.issues.push({ field, message: 'is required' });
      return '';
    }
    return this.checked(field, raw, rules, false);
  }

  /** A string that may be missing, null or empty (Glase's own samples do all three): ''. */
  optionalText(field: string, rules: TextRules): string {
    const raw = this.input[field];
    return raw === undefined || raw === null ? '' : this.checked(field, raw, rules, true);
  }

  /** A whole number within [min, max]. */
  wholeNumber(field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.input[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.issues.push({ field, message: 'must be a whole number' });
      return 0;
    }
    if (value < min) this.issues.push({ field, message: `must be at least ${min}` });
    if (value > max) this.issues.push({ field, message: `must be at most ${max}` });
    return value;
  }

  private checked(field: string, raw: unknown, rules: TextRules, optional: boolean): string {
    if (typeof raw !== 'string') {
      this.issues.push({ field, message: 'must be a string' });
      return '';
    }
    const value = rules.trim === false ? raw : raw.trim();
    if (optional && value === '') return value;
    const before = this.issues.length;
    if (rules.empty !== undefined && value === '') this.issues.push({ field, message: rules.empty });
    if (rules.max !== undefined && value.length > rules.max) {
      this.issues.push({ field, message: `must be at most ${rules.max} characters` });
    }
    for (const rule of rules.rules ?? []) {
      if (!rule.test(value)) this.issues.push({ field, message: rule.error });
    }
    if (rules.then && this.issues.length === before && !rules.then.test(value)) {
      this.issues.push({ field, message: rules.then.error });
    }
    return value;
  }
}
