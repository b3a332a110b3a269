import { enqueueActions, setup } from 'xstate';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import type { HealthOk, HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { CriResponseMessage } from '../../src/kubelet/cri.ts';
import type { KubeletLogsCancelMessage, KubeletLogsRequestMessage } from '../../src/kubelet/log-protocol.ts';
import type { KubeletMachineConfig } from './config.ts';
import {
  beginHeartbeats, beginRegistration, createKubelet, handleApiResponse, handleApiWatch, handleCriResponse, handleHealthOk, handleLogsCancel,
  handleLogsRequest, handleTimers, nextDeadline, nodeRegistered, runtimeReady, startKubelet,
} from './kubelet.ts';
import type { KubeletActorState, KubeletOutcome } from './state.ts';

/**
 * The kubelet of one node, at `<node>/kubelet`. It talks to the apiserver named in its config (API protocol,
 * src/apiserver/protocol.ts) and to its container runtime (CRI protocol, src/kubelet/cri.ts).
 *
 * `starting`: the pod informer lists and watches the pods bound to this node; the PLEG's first relist asks
 * the runtime what it runs. Once the runtime has answered, `registering`: POST the Node (or adopt the one
 * that exists). Once registered, `running`: the lease is renewed every 10 s and the node status posted on
 * change and every 5 min. Pod syncs run in every state as soon as the runtime and the pod list are known
 * (upstream syncs pods whether or not registration has succeeded). Every state re-enters on each message
 * so its one timer tracks the earliest deadline. In every state it serves container logs to the apiserver
 * (`kubelet.logs`: its /containerLogs endpoint), following them on request. No disk: a restarted kubelet
 * relists the runtime and the API and rebuilds its memory; the containers kept running in the runtime.
 * Static pods (config.staticPods, its manifest directory) run without the API and are mirrored to it; the
 * actors some pods stand for are pinged once a second (`health.probe`; their hosts answer `health.ok`) and
 * those answers decide those pods' probes.
 */
export interface KubeletContext {
  kubelet: KubeletActorState;
  now: () => number;
}

export type KubeletEvent = (ApiResponseMessage | ApiWatchMessage | CriResponseMessage | KubeletLogsRequestMessage | KubeletLogsCancelMessage | HealthOk) & { from: string };

/** With nothing due, wake up anyway now and then (cheap; nothing happens). */
export const KUBELET_IDLE_WAKEUP_MS = 60_000;

type Enqueue = Parameters<Parameters<typeof enqueueActions<KubeletContext, KubeletEvent, undefined, KubeletEvent, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function apply(enqueue: Enqueue, outcome: KubeletOutcome): void {
  for (const emitted of outcome.emits) enqueue.emit(emitted);
  enqueue.assign(() => ({ kubelet: outcome.state }));
}

const messageHandlers = {
  receiveApiResponse: enqueueActions(({ context, event, enqueue }: { context: KubeletContext; event: KubeletEvent; enqueue: Enqueue }) => {
    if (event.type === 'api.response') apply(enqueue, handleApiResponse(context.kubelet, event, context.now()));
  }),
  receiveWatchEvents: enqueueActions(({ context, event, enqueue }: { context: KubeletContext; event: KubeletEvent; enqueue: Enqueue }) => {
    if (event.type === 'api.watch') apply(enqueue, handleApiWatch(context.kubelet, event, context.now()));
  }),
  receiveCriResponse: enqueueActions(({ context, event, enqueue }: { context: KubeletContext; event: KubeletEvent; enqueue: Enqueue }) => {
    if (event.type === 'cri.response') apply(enqueue, handleCriResponse(context.kubelet, event, context.now()));
  }),
  serveContainerLogs: enqueueActions(({ context, event, enqueue }: { context: KubeletContext; event: KubeletEvent; enqueue: Enqueue }) => {
    if (event.type === 'kubelet.logs') apply(enqueue, handleLogsRequest(context.kubelet, event, context.now()));
  }),
  recordHealthAnswer: enqueueActions(({ context, event, enqueue }: { context: KubeletContext; event: KubeletEvent; enqueue: Enqueue }) => {
    if (event.type === 'health.ok') apply(enqueue, handleHealthOk(context.kubelet, event, context.now()));
  }),
  stopFollowingLogs: enqueueActions(({ context, event, enqueue }: { context: KubeletContext; event: KubeletEvent; enqueue: Enqueue }) => {
    if (event.type === 'kubelet.logs.cancel') apply(enqueue, handleLogsCancel(context.kubelet, event, context.now()));
  }),
};

/** The same message handling and timer in every state, re-entering it. */
function serving(state: 'starting' | 'registering' | 'running') {
  return {
    on: {
      'api.response': { target: state, reenter: true, actions: 'receiveApiResponse' },
      'api.watch': { target: state, reenter: true, actions: 'receiveWatchEvents' },
      'cri.response': { target: state, reenter: true, actions: 'receiveCriResponse' },
      'kubelet.logs': { target: state, reenter: true, actions: 'serveContainerLogs' },
      'kubelet.logs.cancel': { target: state, reenter: true, actions: 'stopFollowingLogs' },
      'health.ok': { target: state, reenter: true, actions: 'recordHealthAnswer' },
    },
    after: { wakeup: { target: state, reenter: true, actions: 'handleTimers' } },
  } as const;
}

export const kubeletMachine = setup({
  types: {
    context: {} as KubeletContext,
    events: {} as KubeletEvent,
    input: {} as HostedInput<KubeletMachineConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    startPodInformerAndRelist: enqueueActions(({ context, enqueue }) => apply(enqueue, startKubelet(context.kubelet, context.now()))),
    ...messageHandlers,
    handleTimers: enqueueActions(({ context, enqueue }) => apply(enqueue, handleTimers(context.kubelet, context.now()))),
    registerNode: enqueueActions(({ context, enqueue }) => apply(enqueue, beginRegistration(context.kubelet, context.now()))),
    startHeartbeats: enqueueActions(({ context, enqueue }) => apply(enqueue, beginHeartbeats(context.kubelet, context.now()))),
  },
  guards: {
    runtimeReady: ({ context }) => runtimeReady(context.kubelet),
    nodeRegistered: ({ context }) => nodeRegistered(context.kubelet),
  },
  delays: {
    wakeup: ({ context }) => {
      const now = context.now();
      const at = nextDeadline(context.kubelet, now);
      return at === Infinity ? KUBELET_IDLE_WAKEUP_MS : Math.max(0, at - now);
    },
  },
}).createMachine({
  id: 'kubelet',
  context: ({ input }) => ({ kubelet: createKubelet(input.address, input.incarnation, input.rng, input.config, input.now()), now: input.now }),
  entry: 'startPodInformerAndRelist',
  initial: 'starting',
  states: {
    starting: {
      always: { guard: 'runtimeReady', target: 'registering', actions: 'registerNode' },
      ...serving('starting'),
    },
    registering: {
      always: { guard: 'nodeRegistered', target: 'running', actions: 'startHeartbeats' },
      ...serving('registering'),
    },
    running: serving('running'),
  },
});
