/** Property-test sizes scale with FC_NUM_RUNS so long campaigns run outside CI with the same tests. */
export function numRuns(ciDefault: number): number {
  const fromEnv = Number(process.env.FC_NUM_RUNS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : ciDefault;
}
