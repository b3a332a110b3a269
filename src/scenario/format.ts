// A scenario, as the parser hands it to the runner: the cluster, then steps run in order in virtual time.
// See docs/scenarios.md for the YAML that produces it.
import type { ManifestObject } from '../cluster/kubectl/apply.ts';
import type { ResolvedClusterSpec } from '../cluster/spec.ts';
import type { LinkModel } from '../bus/network.ts';

export interface Scenario {
  name: string;
  description?: string;
  /** The seed when `--seed` is not given. */
  seed?: number;
  cluster: ResolvedClusterSpec;
  steps: Step[];
  /** Where the file is: `apply: { file }` paths are relative to it. */
  baseDir: string;
}

interface StepBase {
  /** Where it is in the file, for messages: `steps[3]`. */
  path: string;
  /** The step's `name:` in the file, printed with it. */
  label?: string;
  /** The step must fail with an error containing this text (e.g. a validation message). */
  expectError?: string;
}

export type Step = StepBase & (
  | { kind: 'apply'; objects: ManifestObject[]; source: string; namespace?: string }
  | {
    kind: 'delete'; resource: string; name?: string; selector?: string; limit?: number; namespace?: string; gracePeriodSeconds?: number;
    /** kubectl's --wait: run until the deleted objects are gone (default true). */
    wait: boolean;
  }
  | { kind: 'scale'; target: string; replicas: number; namespace?: string }
  | { kind: 'setImage'; target: string; images: Record<string, string>; namespace?: string }
  | { kind: 'rolloutUndo'; target: string; toRevision: number; namespace?: string }
  | { kind: 'wait'; durationMs?: number; condition?: Condition; timeoutMs: number }
  | { kind: 'fault'; fault: FaultAction }
  | { kind: 'expect'; condition: Condition; withinMs: number }
);

export type FaultAction =
  | { kind: 'crash'; target: string; loseUnsynced: boolean }
  | { kind: 'restart'; target: string }
  | { kind: 'partition'; id: string; from: string[]; to: string[]; oneWay: boolean }
  | { kind: 'heal'; id?: string }
  | { kind: 'degrade'; id: string; from: string; to: string; link: Partial<LinkModel>; durationMs: number };

/** Something true or false of the cluster now (expect) or eventually (wait). */
export type Condition =
  | { kind: 'pods'; query: PodQuery }
  | { kind: 'object'; target: string; namespace?: string; exists: boolean; fields: Record<string, unknown> }
  | { kind: 'count'; resource: string; namespace?: string; selector?: string; count: number }
  | { kind: 'event'; query: EventQuery }
  | { kind: 'eventSequence'; reasons: string[]; object?: string }
  | { kind: 'traffic'; query: TrafficQuery }
  | { kind: 'all'; conditions: Condition[] };

export interface PodQuery {
  namespace?: string;
  selector?: string;
  /** Only pods in this phase (Pending, Running, Succeeded, Failed). */
  phase?: string;
  /** Only pods whose Ready condition is (not) True. */
  ready?: boolean;
  /** Only pods with a container whose state or last state has this reason (CrashLoopBackOff, OOMKilled…). */
  reason?: string;
  /** Only pods with at least / at most this many container restarts. */
  minRestarts?: number;
  maxRestarts?: number;
  /** Only pods on this node. */
  node?: string;
  /** How many pods must pass the filters (default: at least one). */
  count?: number;
  /** Every such pod on a different node. */
  spread?: boolean;
  /** Every such pod on one of these nodes. */
  onNodes?: string[];
  /** Every such pod left unscheduled (no node). */
  unscheduled?: boolean;
}

/** Requests from a pod on a node to a service (src/network/request.ts), and where they must land. */
export interface TrafficQuery {
  /** The node the client pod runs on. */
  from: string;
  /** `web:80`, `web.default.svc.cluster.local:80` (through CoreDNS), `10.96.0.20:80`, `172.18.0.3:30080`. */
  to: string;
  /** The client pod's namespace (its DNS search path); default "default". */
  namespace?: string;
  /** How many new connections (default 20). */
  requests: number;
  /** true: every one reaches a Running, Ready pod (matching `selector`); false: none does. */
  ok: boolean;
  /** Only pods with these labels count as reached (e.g. the Service's current selector). */
  selector?: string;
  /** With ok: false, the error each one fails with (`i/o timeout`, `connection refused`, `no such host`). */
  error?: string;
}

export interface EventQuery {
  reason?: string;
  type?: 'Normal' | 'Warning';
  /** The exact message. */
  message?: string;
  messageContains?: string;
  /** `pod/web-…`: kind/name, a trailing `…` or `*` matching any name with that prefix. */
  object?: string;
  /** The FROM column (`default-scheduler`, `kubelet/node-2`, `kubelet`). */
  from?: string;
  /** At least this many occurrences (summing each event's count). Default 1. */
  minCount?: number;
}
