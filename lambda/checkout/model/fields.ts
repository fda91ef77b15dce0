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
