// What every cluster checker reports: one readable sentence per problem, naming the object.

export type ConvergenceProperty =
  | 'deployment' | 'replicaset' | 'daemonset' | 'job' | 'service-endpoints' | 'service-endpointslices'
  | 'kube-proxy-rules' | 'node' | 'pod-placement' | 'stuck-deletion' | 'stability';

export type SafetyProperty = 'node-allocatable' | 'pod-rebound' | 'leader-per-term' | 'rollout-availability';

export interface Violation {
  readonly property: ConvergenceProperty | SafetyProperty;
  /** The object the sentence is about: "Deployment default/web", "Node node-2", "Lease kube-system/kube-scheduler". */
  readonly object: string;
  /** A full sentence, starting with the object. */
  readonly message: string;
  /** Virtual time of the view (or observation) that shows it. */
  readonly at: number;
}

export function violation(property: Violation['property'], object: string, detail: string, at: number): Violation {
  return { property, object, message: `${object} ${detail}`, at };
}

/** Violations as text, one per line, for assertion messages and campaign reports. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `[${v.property} @${v.at}ms] ${v.message}`).join('\n');
}
