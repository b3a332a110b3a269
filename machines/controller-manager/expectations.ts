// ControllerExpectations with UID tracking for deletes (pkg/controller/controller_utils.go): before a
// ReplicaSet sync creates or deletes pods it records how many adds/deletes it expects; the pod informer
// lowers them as it observes the results; the ReplicaSet is not managed again until they are met (or
// older than the TTL). This is what keeps a controller from acting twice on a cache that lags its writes.

export interface Expectation {
  readonly add: number;
  readonly del: number;
  /** When they were set (virtual ms); they expire TTL later. */
  readonly timestamp: number;
  /** Pod keys whose deletion is expected (UIDTrackingControllerExpectations). */
  readonly deleteKeys: readonly string[];
}

export type Expectations = Readonly<Record<string, Expectation>>;

function set(e: Expectations, key: string, value: Expectation): Expectations {
  return { ...e, [key]: value };
}

/** ExpectCreations: replaces whatever was expected with `adds` creations. */
export function expectCreations(e: Expectations, key: string, adds: number, now: number): Expectations {
  return set(e, key, { add: adds, del: 0, timestamp: now, deleteKeys: e[key]?.deleteKeys ?? [] });
}

/** ExpectDeletions: expects exactly these pods to go. */
export function expectDeletions(e: Expectations, key: string, podKeys: readonly string[], now: number): Expectations {
  return set(e, key, { add: 0, del: podKeys.length, timestamp: now, deleteKeys: [...podKeys] });
}

/** CreationObserved: one expected add seen (or given up on). */
export function creationObserved(e: Expectations, key: string): Expectations {
  const exp = e[key];
  return exp ? set(e, key, { ...exp, add: exp.add - 1 }) : e;
}

/** DeletionObserved: counts only for a pod whose deletion was expected, once. */
export function deletionObserved(e: Expectations, key: string, podKey: string): Expectations {
  const exp = e[key];
  if (!exp || !exp.deleteKeys.includes(podKey)) return e;
  return set(e, key, { ...exp, del: exp.del - 1, deleteKeys: exp.deleteKeys.filter((k) => k !== podKey) });
}

export function deleteExpectations(e: Expectations, key: string): Expectations {
  if (!(key in e)) return e;
  const next = { ...e };
  delete next[key];
  return next;
}

/** SatisfiedExpectations: none recorded, all met, or expired. */
export function satisfiedExpectations(e: Expectations, key: string, now: number, ttlMs: number): boolean {
  const exp = e[key];
  if (!exp) return true;
  if (exp.add <= 0 && exp.del <= 0) return true;
  return now - exp.timestamp > ttlMs;
}

/** SetExpectations: `adds` creations and the deletion of exactly these pods. */
export function setExpectations(e: Expectations, key: string, adds: number, deleteKeys: readonly string[], now: number): Expectations {
  return set(e, key, { add: adds, del: deleteKeys.length, timestamp: now, deleteKeys: [...deleteKeys] });
}
