import { cancel, createActor, emit, enqueueActions, raise, setup, assign, type AnyStateMachine } from 'xstate';
import { VirtualClock } from '../src/sim/clock.ts';
import { formatFigures, isMain, type Figures } from './harness.ts';

/**
 * What XState itself costs per event for the machine shapes our components use, without bus or host:
 * CPU µs per `actor.send` of a fresh event (min of several rounds), every machine on a VirtualClock so
 * `after` delays are real clock timers, every emitted event taken by a `*` listener as the host does.
 * `node bin/run-ts.mjs bench/xstate.bench.ts` — the advice these figures support is in docs/performance.md.
 *
 * The shapes, cheapest first; each adds one thing to a previous one:
 *  - unhandled: an event no transition takes;
 *  - action: a targetless transition with one named no-op action;
 *  - assign / emit+assign: plain `assign` and `emit` actions;
 *  - enqueueActions: the same emit + assign through one `enqueueActions` (what every machine does); then
 *    three of them on one transition, and one emitting three events;
 *  - + always: the state also has an eventless transition whose guard is false (re-checked after every event);
 *  - reenter: the transition targets its own state with `reenter: true` (exit + entry on every event);
 *  - reenter + after: the state has an `after` delay computed by a function (the "one timer tracks the
 *    earliest deadline" pattern: every event cancels and schedules it);
 *  - hosted pattern: reenter + after + always — kubelet, scheduler, controller-manager, kube-proxy…;
 *  - raise-rescheduled timer: targetless, and the timer is re-armed with `cancel` + delayed `raise` instead of
 *    re-entering the state (same behaviour as reenter + after, no exit/entry);
 *  - conditional timer: targetless, re-armed only when its deadline changed (here: never);
 *  - depth 4 / parallel ×3: the hosted pattern with the event handled on a root ancestor of a 4-deep
 *    active leaf, or with 3 parallel regions active (etcd-member's `running` → `leader` shape).
 */

type Ctx = { n: number; deadline: number };
type Ev = { type: 'msg'; from: string } | { type: 'wakeup' };

const base = setup({
  types: { context: {} as Ctx, events: {} as Ev, emitted: {} as { type: 'net.send'; to: string; message: { type: string } } },
  actions: {
    noop: () => {},
    count: assign({ n: ({ context }) => context.n + 1 }),
    send: emit(({ context }) => ({ type: 'net.send' as const, to: 'peer', message: { type: 'reply', n: context.n } as { type: string } })),
    handle: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'net.send', to: 'peer', message: { type: 'reply', n: context.n } as { type: string } });
      enqueue.assign({ n: context.n + 1 });
    }),
    handleAndRearm: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'net.send', to: 'peer', message: { type: 'reply', n: context.n } as { type: string } });
      enqueue.assign({ n: context.n + 1 });
      enqueue(cancel('wakeup'));
      enqueue(raise({ type: 'wakeup' }, { id: 'wakeup', delay: 1_000_000 }));
    }),
    handleAndRearmIfChanged: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'net.send', to: 'peer', message: { type: 'reply', n: context.n } as { type: string } });
      const deadline = context.deadline; // a real machine compares its next deadline with the armed one
      enqueue.assign({ n: context.n + 1 });
      if (deadline !== context.deadline) {
        enqueue(cancel('wakeup'));
        enqueue(raise({ type: 'wakeup' }, { id: 'wakeup', delay: 1_000_000 }));
      }
    }),
    handleThree: enqueueActions(({ context, enqueue }) => {
      for (let i = 0; i < 3; i++) enqueue.emit({ type: 'net.send', to: 'peer', message: { type: 'reply', n: context.n + i } as { type: string } });
      enqueue.assign({ n: context.n + 1 });
    }),
    arm: raise({ type: 'wakeup' }, { id: 'wakeup', delay: 1_000_000 }),
  },
  guards: { never: () => false },
  delays: { wakeup: ({ context }: { context: Ctx }) => context.deadline },
});

const context = { n: 0, deadline: 1_000_000 };
const idle = (on: object, extra: object = {}) => base.createMachine({ context, initial: 'idle', states: { idle: { on, ...extra }, other: {} } });
const hosted = (extra: object = {}) => ({
  on: { msg: { target: 'idle', reenter: true, actions: 'handle' } },
  after: { wakeup: { target: 'idle', reenter: true } },
  ...extra,
}) as const;

const deep = base.createMachine({
  context,
  initial: 'a',
  states: {
    a: {
      always: { guard: 'never', target: 'z' },
      on: { msg: { target: '.b', reenter: true, actions: 'handle' } },
      initial: 'b',
      states: { b: { initial: 'c', states: { c: { initial: 'd', states: { d: { after: { wakeup: { target: 'd', reenter: true } } } } } } } },
    },
    z: {},
  },
});

const region = { initial: 'r', states: { r: { after: { wakeup: { target: 'r', reenter: true } } } } };
const parallel = base.createMachine({
  context,
  initial: 'a',
  states: {
    a: {
      always: { guard: 'never', target: 'z' },
      on: { msg: { target: '.p', reenter: true, actions: 'handle' } },
      initial: 'p',
      states: { p: { type: 'parallel', states: { x: region, y: region, w: region } } },
    },
    z: {},
  },
});

export const SHAPES: Record<string, AnyStateMachine> = {
  'unhandled event': idle({}),
  'targetless, one no-op action': idle({ msg: { actions: 'noop' } }),
  'targetless, assign': idle({ msg: { actions: 'count' } }),
  'targetless, emit + assign (two actions)': idle({ msg: { actions: ['send', 'count'] } }),
  'targetless, enqueueActions (emit + assign)': idle({ msg: { actions: 'handle' } }),
  'targetless, 3 enqueueActions (emit + assign each)': idle({ msg: { actions: ['handle', 'handle', 'handle'] } }),
  'targetless, 1 enqueueActions (3 emits + assign)': idle({ msg: { actions: 'handleThree' } }),
  'enqueueActions + always (guard false)': idle({ msg: { actions: 'handle' } }, { always: { guard: 'never', target: 'other' } }),
  'reenter: true, no timer': idle({ msg: { target: 'idle', reenter: true, actions: 'handle' } }),
  'reenter + after (delay function)': base.createMachine({ context, initial: 'idle', states: { idle: hosted(), other: {} } }),
  'hosted pattern: reenter + after + always': base.createMachine({
    context, initial: 'idle', states: { idle: hosted({ always: { guard: 'never', target: 'other' } }), other: {} },
  }),
  'targetless + cancel/raise timer each event': base.createMachine({
    context, initial: 'idle', entry: 'arm', states: { idle: { on: { msg: { actions: 'handleAndRearm' }, wakeup: { actions: 'arm' } } }, other: {} },
  }),
  'targetless, timer re-armed only on change': base.createMachine({
    context, initial: 'idle', entry: 'arm', states: { idle: { on: { msg: { actions: 'handleAndRearmIfChanged' }, wakeup: { actions: 'arm' } } }, other: {} },
  }),
  'hosted pattern, leaf 4 deep, handled at root': deep,
  'hosted pattern, 3 parallel regions': parallel,
};

/** CPU µs per event: `events` sends of a fresh event to one actor, the best of `rounds`. */
export function microsPerEvent(machine: AnyStateMachine, events: number, rounds = 5): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const clock = new VirtualClock();
    const actor = createActor(machine, { clock });
    let emitted = 0;
    actor.on('*', () => void emitted++);
    actor.start();
    const start = process.cpuUsage();
    for (let i = 0; i < events; i++) actor.send({ type: 'msg', from: 'peer' });
    const used = process.cpuUsage(start);
    actor.stop();
    best = Math.min(best, (used.user + used.system) / events);
  }
  return best;
}

export async function run(events = 50_000): Promise<Figures> {
  for (const machine of Object.values(SHAPES)) microsPerEvent(machine, events / 10, 1); // warm-up
  const figures: Figures = {};
  for (const [name, machine] of Object.entries(SHAPES)) figures[`µs/event: ${name}`] = Number(microsPerEvent(machine, events).toFixed(2));
  return figures;
}

if (isMain(import.meta.url)) process.stdout.write(formatFigures('xstate', await run(Number(process.argv[2] ?? 50_000))));
