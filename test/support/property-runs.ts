/**
 * How many generated cases a property test runs. Under `npm run mutate` every mutant re-runs
 * the tests that cover it, so the runs are cut to a fifth (at least 100): enough to catch a
 * changed rule, cheap enough for two thousand mutants. `npm test` always runs them all.
 */
export function propertyRuns(runs: number): number {
  return process.env.MUTATION_TESTING ? Math.max(100, Math.ceil(runs / 5)) : runs;
}
