import { withRetries } from '../../lambda/glase/retry.js';

/** A clock that only moves when the code under test sleeps: no test waits for real time. */
function fakeTime(start = 1_000_000) {
  let now = start;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    slept,
  };
}

class Flaky extends Error {}
const retryable = (error: unknown) => error instanceof Flaky;

describe('withRetries', () => {
  it('repeats a retryable failure until it succeeds, with growing, jittered pauses', async () => {
    const time = fakeTime();
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 5) throw new Flaky();
        return 'ok';
      },
      retryable,
      { deadline: time.now() + 15_000 },
      {
        attemptTimeoutMs: 3000,
        now: time.now,
        sleep: time.sleep,
        random: () => 1,
        baseDelayMs: 100,
        maxDelayMs: 2000,
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(5);
    expect(time.slept).toEqual([100, 200, 400, 800]);
  });

  it('caps each pause and draws it between 0 and the cap (full jitter)', async () => {
    const time = fakeTime();
    const randoms = [0, 0.5, 1, 1, 1, 1];
    let calls = 0;
    await withRetries(
      async () => {
        if (++calls < 7) throw new Flaky();
      },
      retryable,
      { deadline: time.now() + 60_000 },
      {
        attemptTimeoutMs: 1000,
        now: time.now,
        sleep: time.sleep,
        random: () => randoms.shift() ?? 1,
        baseDelayMs: 100,
        maxDelayMs: 1000,
      },
    );
    expect(time.slept).toEqual([0, 100, 400, 800, 1000, 1000]);
  });

  it('gives up when the next attempt could not start before the deadline, with the last error', async () => {
    const time = fakeTime();
    const deadline = time.now() + 5_000;
    let calls = 0;
    const failing = withRetries(
      async (timeoutMs) => {
        calls++;
        time.advance(timeoutMs); // every attempt times out
        throw new Flaky(`attempt ${calls}`);
      },
      retryable,
      { deadline },
      { attemptTimeoutMs: 3000, now: time.now, sleep: time.sleep, random: () => 0 },
    );
    await expect(failing).rejects.toThrow('attempt 2');
    expect(time.now()).toBeLessThanOrEqual(deadline);
  });

  it('shortens the last attempt to what is left of the deadline', async () => {
    const time = fakeTime();
    const timeouts: number[] = [];
    await expect(
      withRetries(
        async (timeoutMs) => {
          timeouts.push(timeoutMs);
          time.advance(timeoutMs);
          throw new Flaky();
        },
        retryable,
        { deadline: time.now() + 4_000 },
        { attemptTimeoutMs: 3000, now: time.now, sleep: time.sleep, random: () => 0 },
      ),
    ).rejects.toThrow(Flaky);
    expect(timeouts).toEqual([3000, 1000]);
  });

  it('never repeats a failure that is not retryable', async () => {
    const time = fakeTime();
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error('final');
        },
        retryable,
        { deadline: time.now() + 15_000 },
        { attemptTimeoutMs: 3000, now: time.now, sleep: time.sleep },
      ),
    ).rejects.toThrow('final');
    expect(calls).toBe(1);
  });

  it('without a deadline makes two attempts, or maxAttempts', async () => {
    for (const [policy, expected] of [
      [{}, 2],
      [{ maxAttempts: 4 }, 4],
    ] as const) {
      const time = fakeTime();
      let calls = 0;
      await expect(
        withRetries(
          async () => {
            calls++;
            throw new Flaky();
          },
          retryable,
          policy,
          { attemptTimeoutMs: 3000, now: time.now, sleep: time.sleep },
        ),
      ).rejects.toThrow(Flaky);
      expect(calls).toBe(expected);
    }
  });
});
