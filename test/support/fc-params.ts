import fc from 'fast-check';

/** FC_SEED=<n> replays a failing run (fast-check prints the seed of every failure); FC_SHRINK=1 shrinks it. */
export const fcParams = (numRuns: number): fc.Parameters<unknown> => ({
  // FC_RUNS_FACTOR=10 explores further than CI does.
  numRuns: Math.round(numRuns * runsFactor()),
  seed: process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED),
  endOnFailure: process.env.FC_SHRINK !== '1',
});

/** FC_RUNS_FACTOR, for suites whose time budget grows with it. */
export const runsFactor = (): number => Number(process.env.FC_RUNS_FACTOR ?? 1);
