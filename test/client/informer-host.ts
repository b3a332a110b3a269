// A minimal component that embeds one informer (the pattern every controller follows), records the
// deltas its handlers would see, and exposes the cache: the informer under test in a real Simulation.
import { enqueueActions, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import type { ApiResponseMessage, ApiWatchMessage } from '../../src/apiserver/protocol.ts';
import {
  DEFAULT_INFORMER_OPTIONS, informerDeadline, newInformer, ownsRequest, receiveResponse, receiveWatch, startInformer,
  tickInformer, cancelWatch, type Delta, type InformerOptions, type InformerSpec, type InformerState, type InformerStep,
  type KubeObject, PODS,
} from '../../src/client/index.ts';

export interface InformerHostConfig {
  apiserver: string;
  options?: Partial<Omit<InformerOptions, 'apiserver' | 'idPrefix'>>;
}

export interface InformerHostContext {
  informer: InformerState<KubeObject>;
  deltas: Delta<KubeObject>[];
  now: () => number;
}

export const podSpec: InformerSpec<KubeObject> = { name: 'pods', resource: PODS };

type Event = (ApiResponseMessage | ApiWatchMessage) & { from: string };
const IDLE_MS = 3_600_000;

export const informerHostMachine = setup({
  types: {
    context: {} as InformerHostContext,
    events: {} as Event,
    input: {} as HostedInput<InformerHostConfig>,
    emitted: {} as HostedEmitted,
  },
  actions: {
    start: enqueueActions(({ context, enqueue }) => apply(enqueue, context, startInformer(podSpec, context.informer, context.now()))),
    receive: enqueueActions(({ context, event, enqueue }) => {
      const now = context.now();
      if (event.type === 'api.watch' && !ownsRequest(context.informer, event.requestId)) {
        if (!event.closed) {
          const cancel = cancelWatch(context.informer.options.apiserver, event.requestId);
          enqueue.emit({ type: 'net.send', to: cancel.to, message: { ...cancel.message } });
        }
        return;
      }
      const step = event.type === 'api.watch'
        ? receiveWatch(podSpec, context.informer, event, now)
        : receiveResponse(podSpec, context.informer, event, now);
      apply(enqueue, context, step);
    }),
    tick: enqueueActions(({ context, enqueue }) => apply(enqueue, context, tickInformer(podSpec, context.informer, context.now()))),
  },
  delays: {
    wakeup: ({ context }) => {
      const at = informerDeadline(context.informer);
      return at === undefined ? IDLE_MS : Math.max(0, at - context.now());
    },
  },
}).createMachine({
  id: 'informerHost',
  context: ({ input }) => ({
    informer: newInformer(podSpec, {
      ...DEFAULT_INFORMER_OPTIONS, ...input.config.options, apiserver: input.config.apiserver, idPrefix: `${input.address}#${input.incarnation}`,
    }),
    deltas: [],
    now: input.now,
  }),
  entry: 'start',
  initial: 'running',
  states: {
    running: {
      on: {
        'api.response': { target: 'running', reenter: true, actions: 'receive' },
        'api.watch': { target: 'running', reenter: true, actions: 'receive' },
      },
      after: { wakeup: { target: 'running', reenter: true, actions: 'tick' } },
    },
  },
});

type Enqueue = Parameters<Parameters<typeof enqueueActions<InformerHostContext, Event, undefined, Event, never, never, never, never, HostedEmitted>>[0]>[0]['enqueue'];

function apply(enqueue: Enqueue, context: InformerHostContext, step: InformerStep<KubeObject>): void {
  for (const send of step.sends) enqueue.emit({ type: 'net.send', to: send.to, message: { ...send.message } });
  enqueue.assign({ informer: step.state, deltas: [...context.deltas, ...step.deltas] });
}
