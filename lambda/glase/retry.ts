/**
 * How a call that is safe to repeat (getPaymentStatus, cancelInvoice) is repeated: with
 * exponential backoff and full jitter, either a fixed number of times or until a deadline —
 * after a notification, the deadline is what is left of Glase's 20 seconds.
 */
export interface RetryPolicy {
  /** Give up when the next attempt could not start before this time (epoch ms). */
  readonly deadline?: number | undefined;
  /** At most this many attempts (default: unbounded with a deadline, else 2). */
  readonly maxAttempts?: number | undefined;
}

export interface RetryTiming {
  /** Each attempt's own timeout. */
  readonly attemptTimeoutMs: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** An attempt with less time than this left is not worth starting. */
  readonly minAttemptMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const DEFAULT_ATTEMPTS = 2;

export async function withRetries<T>(
  attempt: (timeoutMs: number) => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: RetryPolicy,
  timing: RetryTiming,
): Promise<T> {
  const now = timing.now ?? Date.now;
  const sleep = timing.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = timing.random ?? Math.random;
  const base = timing.baseDelayMs ?? 100;
  const cap = timing.maxDelayMs ?? 2_000;
  const minAttemptMs = timing.minAttemptMs ?? 250;
  const maxAttempts = policy.maxAttempts ?? (policy.deadline === undefined ? DEFAULT_ATTEMPTS : Infinity);
  for (let made = 1; ; made++) {
    const left = policy.deadline === undefined ? Infinity : policy.deadline - now();
    try {
      return await attempt(Math.max(1, Math.min(timing.attemptTimeoutMs, left)));
    } catch (error) {
      if (!isRetryable(error) || made >= maxAttempts) throw error;
      const delay = random() * Math.min(cap, base * 2 ** (made - 1));
      const leftAfterDelay = policy.deadline === undefined ? Infinity : policy.deadline - now() - delay;
      if (leftAfterDelay < minAttemptMs) throw error;
      await sleep(delay);
    }
  }
}
