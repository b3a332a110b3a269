// Records what a deployment sync would do, in order, while it runs upstream's logic on local copies:
// every API write becomes a one-call step (the deployment controller's writes are sequential and the
// first failure ends the sync), events to record at once, and the requeue it asks for.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import {
  DEPLOYMENTS, REPLICASETS, createRequest, deleteRequest, getRequest, updateRequest, type ApiFailure,
} from '../../../src/client/index.ts';
import type { ResolvedConfig } from '../config.ts';
import { referenceTo, type EventSpec } from '../events.ts';
import { objectKeyOf, type CallTag, type JobPlan, type PlannedCall, type Step, type StepLabel } from '../jobs.ts';

export const DEPLOYMENT_COMPONENT = 'deployment-controller';

export interface Planner {
  readonly now: number;
  readonly config: ResolvedConfig;
  readonly steps: Step[];
  readonly events: EventSpec[];
  requeueAfterMs?: number;
  requeueRateLimited?: boolean;
  failWith?: ApiFailure;
}

export function newPlanner(now: number, config: ResolvedConfig): Planner {
  return { now, config, steps: [], events: [] };
}

export function deploymentRef(d: Deployment): ObjectReference {
  return referenceTo(d, 'apps/v1', 'Deployment');
}

function push(p: Planner, call: PlannedCall, label: StepLabel = 'write'): void {
  p.steps.push({ label, calls: [call] });
}

const opts = (p: Planner, obj: { metadata?: { namespace?: string } }) => ({ namespace: obj.metadata?.namespace, user: p.config.user });

/** UpdateStatus of the deployment as it stands locally. */
export function writeDeploymentStatus(p: Planner, d: Deployment, ignoreFailure = false): void {
  push(p, {
    request: updateRequest(DEPLOYMENTS, d.metadata?.name ?? '', structuredClone(d), { ...opts(p, d), subresource: 'status' }),
    tag: { kind: 'write' }, objectKey: objectKeyOf('deployments', d), ...(ignoreFailure ? { ignoreFailure } : {}),
  });
}

export function writeReplicaSet(p: Planner, rs: ReplicaSet, tag: CallTag = { kind: 'write' }, label: StepLabel = 'write'): void {
  push(p, { request: updateRequest(REPLICASETS, rs.metadata?.name ?? '', structuredClone(rs), opts(p, rs)), tag, objectKey: objectKeyOf('replicasets', rs) }, label);
}

export function createReplicaSet(p: Planner, rs: ReplicaSet, tag: CallTag): void {
  push(p, { request: createRequest(REPLICASETS, structuredClone(rs), opts(p, rs)), tag, objectKey: objectKeyOf('replicasets', rs) });
}

export function deleteReplicaSet(p: Planner, rs: ReplicaSet): void {
  push(p, { request: deleteRequest(REPLICASETS, rs.metadata?.name ?? '', opts(p, rs)), tag: { kind: 'write' }, tolerateNotFound: true });
}

/** The uncached GET that must still show the same, live Deployment before it adopts anything. */
export function recheckDeployment(p: Planner, d: Deployment): void {
  push(p, { request: getRequest(DEPLOYMENTS, d.metadata?.name ?? '', opts(p, d)), tag: { kind: 'recheck', uid: d.metadata?.uid ?? '' } }, 'claim');
}

export function recordNow(p: Planner, type: EventSpec['type'], reason: string, message: string, d: Deployment): void {
  p.events.push({ type, reason, message, involvedObject: deploymentRef(d), component: DEPLOYMENT_COMPONENT });
}

export function toJobPlan(p: Planner): JobPlan {
  return {
    steps: p.steps,
    ...(p.requeueAfterMs !== undefined ? { requeueAfterMs: p.requeueAfterMs } : {}),
    ...(p.requeueRateLimited ? { requeueRateLimited: true } : {}),
    ...(p.failWith ? { failWith: p.failWith } : {}),
  };
}
