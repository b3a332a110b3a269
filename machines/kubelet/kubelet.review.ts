import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { ReviewModule } from '../../src/review/review-module.ts';
import { newIpam } from '../../src/kubelet/ipam.ts';
import { newRuntime } from '../../src/kubelet/runtime.ts';
import { criClientViolation, registrationViolation, staticPodViolation, statusRecordViolation } from './invariants.ts';
import type { KubeletContext } from './kubelet.machine.ts';

/**
 * Review sample for the kubelet of node-1. Its inputs are answers, so the samples answer whatever it waits
 * for: the runtime's relist (an empty node), the apiserver's answers to its pod list, node registration
 * (created, or already there) and node status GET, a bookmark on its pod watch, and a late answer nobody
 * waits for.
 */
export const reviewInput: ReviewModule['reviewInput'] = (now) => ({
  address: 'node-1/kubelet',
  incarnation: 0,
  rng: [1, 2, 3, 4],
  disk: new Map(),
  now,
  config: {
    apiserver: 'apiserver-0',
    runtime: 'node-1/containerd',
    node: { name: 'node-1', internalIP: '172.18.0.2', cpu: '4', memory: '8Gi', podCIDR: '10.244.1.0/24' },
  },
});

const ctx = (snapshot: AnyMachineSnapshot) => (snapshot.context as KubeletContext).kubelet;

const SNAPSHOT = { runtime: newRuntime('node-1'), ipam: newIpam('10.244.1.0/24') };

function criAnswers(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const inFlight = ctx(snapshot).cri.inFlight;
  const answer = (requestId: string) => ({ type: 'cri.response', from: 'node-1/containerd', requestId, ok: true, result: {}, snapshot: SNAPSHOT });
  return [...(inFlight ? [answer(inFlight.requestId)] : []), answer('node-1/kubelet#0/cri/999')];
}

function apiAnswers(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const state = ctx(snapshot);
  const answers: AnyEventObject[] = [];
  const reply = (requestId: string, code: number, body: unknown) => ({ type: 'api.response', from: 'apiserver-0', requestId, code, body });
  if (state.pods.list) answers.push(reply(state.pods.list.requestId, 200, { metadata: { resourceVersion: '1' }, items: [] }));
  for (const [requestId, call] of Object.entries(state.calls)) {
    if (call.purpose.kind === 'node-create') {
      answers.push(reply(requestId, 201, { metadata: { name: 'node-1', uid: 'node-uid' }, status: {} }));
      answers.push(reply(requestId, 409, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'nodes "node-1" already exists', reason: 'AlreadyExists', code: 409 }));
    } else if (call.purpose.kind === 'node-get' || call.purpose.kind === 'node-status-get') {
      answers.push(reply(requestId, 200, { metadata: { name: 'node-1', uid: 'node-uid' }, status: {} }));
    }
  }
  answers.push(reply('node-1/kubelet#0/event-create/999', 201, {}));
  return answers;
}

function watchEvents(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const watch = ctx(snapshot).pods.watch;
  const bookmark = (requestId: string) => ({ type: 'api.watch', from: 'apiserver-0', requestId, events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } }] });
  return [...(watch ? [bookmark(watch.requestId)] : []), bookmark('someone-else')];
}

/** The apiserver asks for a log (of a pod this node does not run: a 404 answer) and cancels a follower. */
const logRequests: AnyEventObject[] = [
  { type: 'kubelet.logs', from: 'apiserver-0', requestId: 'logs-1', namespace: 'default', pod: 'web', container: 'app', options: { follow: true } },
];
const logCancels: AnyEventObject[] = [{ type: 'kubelet.logs.cancel', from: 'apiserver-0', requestId: 'logs-1' }];

/** A host answers a health ping (the kubelet of node-1 probes nothing in this sample: ignored). */
const healthAnswers: AnyEventObject[] = [{ type: 'health.ok', from: 'scheduler-0', id: 'node-1/kubelet#0/health/1', incarnation: 0 }];

export const reviewEvents: ReviewModule['reviewEvents'] = {
  'health.ok': healthAnswers,
  'cri.response': criAnswers,
  'api.response': apiAnswers,
  'api.watch': watchEvents,
  'kubelet.logs': logRequests,
  'kubelet.logs.cancel': logCancels,
};

export const reviewInvariants: ReviewModule['reviewInvariants'] = {
  '*': (snapshot) => criClientViolation(ctx(snapshot)) ?? statusRecordViolation(ctx(snapshot)) ?? staticPodViolation(ctx(snapshot)),
  registering: (snapshot) => registrationViolation(ctx(snapshot)),
  running: (snapshot) => registrationViolation(ctx(snapshot)) ?? (ctx(snapshot).node.phase === 'registered' ? null : 'running before the Node is registered'),
};

/** Tell snapshots apart by state and by what the guards read (the runtime answered, the node phase). */
export const reviewSerializeState: ReviewModule['reviewSerializeState'] = (snapshot) =>
  JSON.stringify([snapshot.value, ctx(snapshot).cri.seen, ctx(snapshot).node.phase]);
