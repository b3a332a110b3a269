// resourceVersions are opaque to clients, but the model's apiserver hands out etcd revisions as decimal
// strings. Comparing them lets a reflector discard a watch event it has already applied: the simulated
// network can duplicate a message, which a TCP stream never does.

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** <0, 0, >0 when both are decimal revisions; undefined when either is opaque or empty. */
export function compareResourceVersions(a: string, b: string): number | undefined {
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) return undefined;
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True unless `candidate` is provably not newer than `than` (opaque versions always pass). */
export function isNewerResourceVersion(candidate: string, than: string): boolean {
  const order = compareResourceVersions(candidate, than);
  return order === undefined || order > 0;
}
