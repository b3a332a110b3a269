import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emit, setup } from 'xstate';
import type { HostedEmitted, HostedInput } from '../../src/host/contract.ts';
import { applySchedule, type AppliedFault } from '../../src/faults/apply.ts';
import { Subject } from 'rxjs';
import { faultScheduleArb, hasFigure8, type FaultSpace } from '../../src/faults/arbitrary.ts';
import type { Observed } from '../../src/faults/apply.ts';
import { scheduleEnd, validateSchedule, type Fault, type FaultSchedule } from '../../src/faults/schedule.ts';
import { Simulation } from '../../src/host/simulation.ts';
import { numRuns } from '../fc.ts';

/** A component that reports `obs.poked` whenever it is poked: something for triggers to fire on. */
const pokeable = setup({
  types: { events: {} as { type: 'poke' }, input: {} as HostedInput<unknown>, emitted: {} as HostedEmitted },
  actions: { reportPoke: emit({ type: 'obs.poked' as const }) },
}).createMachine({ on: { poke: { actions: 'reportPoke' } } });

function world(names = ['a', 'b', 'c']): Simulation {
  const sim = new Simulation({ seed: 1 });
  for (const name of names) sim.add(name, pokeable, {});
  return sim;
}

function poke(sim: Simulation, address: string, at: number): void {
  sim.clock.setTimeout(() => sim.host(address).send({ type: 'poke' }), at - sim.now);
}

/** Every fault in a schedule, triggers' faults included. */
function flatten(schedule: FaultSchedule): Fault[] {
  return schedule.flatMap((f) => (f.kind === 'trigger' ? [f, ...flatten(f.faults)] : [f]));
}

describe('triggered faults', () => {
  it('fire on the first matching observation after they are armed, at offsets from it, on @observed', () => {
    const sim = world();
    const applied: AppliedFault[] = [];
    applySchedule(sim, [
      {
        at: 100, kind: 'trigger', id: 't', on: 'obs.poked',
        faults: [{ at: 5, kind: 'crash', target: '@observed', loseUnsynced: true }, { at: 50, kind: 'restart', target: '@observed' }],
      },
    ], { onApplied: (f) => applied.push(f) });
    poke(sim, 'a', 50); // before the trigger is armed: ignored
    poke(sim, 'b', 200); // fires it
    poke(sim, 'c', 201); // already fired: ignored
    sim.runUntil(204);
    expect(sim.host('b').status).toBe('running');
    sim.runUntil(205);
    expect(sim.host('b').status).toBe('crashed');
    expect(sim.host('a').status).toBe('running');
    expect(sim.host('c').status).toBe('running');
    sim.runUntil(300);
    expect(sim.host('b').status).toBe('running');
    expect(applied.map((f) => [f.at, f.fault.kind, 'target' in f.fault ? f.fault.target : undefined])).toEqual([
      [200, 'trigger', undefined],
      [205, 'crash', 'b'],
      [250, 'restart', 'b'],
    ]);
  });

  it('chain: a trigger inside a trigger waits for an observation of its own, whose maker is its @observed', () => {
    const sim = world();
    applySchedule(sim, [
      {
        at: 0, kind: 'trigger', id: 'first', on: 'obs.poked',
        faults: [
          { at: 0, kind: 'crash', target: '@observed' },
          { at: 1, kind: 'trigger', id: 'second', on: 'obs.poked', faults: [{ at: 0, kind: 'crash', target: '@observed' }] },
        ],
      },
    ]);
    poke(sim, 'a', 10);
    poke(sim, 'c', 20);
    sim.runUntil(30);
    expect(['a', 'b', 'c'].map((n) => sim.host(n).status)).toEqual(['crashed', 'running', 'crashed']);
  });

  it('expire after their window, and nothing new starts after quietFrom (restarts still do)', () => {
    const sim = world();
    applySchedule(sim, [
      { at: 0, kind: 'trigger', id: 'late', on: 'obs.poked', windowMs: 50, faults: [{ at: 0, kind: 'crash', target: '@observed' }] },
      { at: 90, kind: 'crash', target: 'b' },
      { at: 150, kind: 'restart', target: 'b' },
      { at: 160, kind: 'crash', target: 'c' },
      { at: 160, kind: 'trigger', id: 'quiet', on: 'obs.poked', faults: [{ at: 0, kind: 'crash', target: '@observed' }] },
    ], { quietFrom: 120 });
    poke(sim, 'a', 60);
    poke(sim, 'a', 170);
    sim.runUntil(100);
    expect(sim.host('a').status).toBe('running');
    expect(sim.host('b').status).toBe('crashed');
    sim.runUntil(200);
    expect(['a', 'b', 'c'].map((n) => sim.host(n).status)).toEqual(['running', 'running', 'running']);
  });
});

describe('derived observations', () => {
  it('fire triggers like the components’ own, @observed naming the address they are about', () => {
    const sim = world();
    const derived = new Subject<Observed>();
    applySchedule(sim, [
      { at: 0, kind: 'trigger', id: 'd', on: 'derived.thing', faults: [{ at: 0, kind: 'crash', target: '@observed' }] },
    ], { observations: derived });
    poke(sim, 'a', 5); // an own observation of another type: ignored
    sim.clock.setTimeout(() => derived.next({ address: 'c', type: 'derived.thing' }), 10);
    sim.runUntil(20);
    expect(['a', 'b', 'c'].map((n) => sim.host(n).status)).toEqual(['running', 'running', 'crashed']);
  });
});

describe('roles, replacements and partitions', () => {
  it('resolves roles in partition sides when the partition starts, a component named twice staying on the first side', () => {
    const sim = world();
    let leader = 'b';
    applySchedule(sim, [
      { at: 10, kind: 'partition', id: 'p', from: ['@leader'], to: ['a', 'b', 'c'] },
      { at: 20, kind: 'heal', id: 'p' },
    ], { resolve: (role) => (role === '@leader' ? leader : role) });
    sim.runUntil(15);
    leader = 'c'; // resolved once, when the partition started
    expect(sim.network.activePartitions()).toEqual([{ id: 'p', from: ['b'], to: ['a', 'c'], oneWay: false }]);
    sim.runUntil(25);
    expect(sim.network.activePartitions()).toEqual([]);
  });

  it('hands a replace to its handler, then aims later faults naming the replaced component at its replacement', () => {
    const sim = world(['a', 'b']);
    const replaced: string[] = [];
    applySchedule(sim, [
      { at: 10, kind: 'replace', target: 'b', replacement: 'b2' },
      { at: 30, kind: 'crash', target: 'b' },
    ], {
      handlers: {
        replace: (fault) => {
          replaced.push(`${fault.target}→${fault.replacement}`);
          sim.crash(fault.target);
          sim.add(fault.replacement, pokeable, {});
        },
      },
    });
    sim.runUntil(20);
    expect(replaced).toEqual(['b→b2']);
    expect(sim.host('b2').status).toBe('running');
    sim.runUntil(40);
    expect(sim.host('b2').status).toBe('crashed');
    // Without a handler, a replace is skipped.
    const plain = world(['a', 'b']);
    applySchedule(plain, [{ at: 1, kind: 'replace', target: 'b', replacement: 'b2' }]);
    plain.runUntil(5);
    expect(plain.has('b2')).toBe(false);
    expect(plain.host('b').status).toBe('running');
  });
});

describe('generated targeted schedules', () => {
  const space: FaultSpace = {
    crashable: ['a', 'b', 'c', '@leader'],
    partitionable: ['@leader', '@follower-1', '@follower-2', 'client'],
    horizonMs: 9_000,
    maxEpisodes: 8,
    triggers: ['obs.raft.voteGranted', 'obs.raft.leader'],
    churn: { leader: 'obs.raft.leader', vote: 'obs.raft.voteGranted' },
    isolate: { target: '@leader', peers: ['@follower-1', '@follower-2'] },
    maxDelayMs: 5_000,
    delay: { targets: ['@leader', '@follower-1'], peers: ['@leader', '@follower-1', '@follower-2'], maxDelayMs: 5_000 },
    replaceable: ['a', 'b', 'c'],
    replacements: ['d'],
    size: 'max',
  };

  it('are valid, end every crash and partition, arm triggers only until the horizon, and use each replacement once', () => {
    fc.assert(
      fc.property(faultScheduleArb(space), (schedule) => {
        expect(validateSchedule(schedule)).toBe(schedule);
        const all = flatten(schedule);
        expect(all.filter((f) => f.kind === 'restart')).toHaveLength(all.filter((f) => f.kind === 'crash').length);
        expect(all.filter((f) => f.kind === 'heal')).toHaveLength(all.filter((f) => f.kind === 'partition').length);
        expect(all.filter((f) => f.kind === 'replace').length).toBeLessThanOrEqual(1);
        // A churn's chain is armed when its first fault fires, up to the longest trigger delay (50 ms) late.
        for (const f of schedule) if (f.kind === 'trigger') expect(f.at + (f.windowMs ?? 0)).toBeLessThanOrEqual(space.horizonMs + 51);
        // An isolation never has the isolated component's own tag on the other side.
        for (const f of all) if (f.kind === 'partition') expect(f.to.some((e) => f.from.includes(e))).toBe(false);
        expect(scheduleEnd(schedule)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: numRuns(200) },
    );
  });

  it('cover every new kind: triggered crashes of @observed, churn chains, leader isolations, delays, replaces', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(faultScheduleArb(space), (schedule) => {
        for (const f of flatten(schedule)) {
          if (f.kind === 'crash' && f.target === '@observed') seen.add('crash @observed');
          if (f.kind === 'trigger' && f.id.startsWith('c') && f.faults.some((g) => g.kind === 'trigger')) seen.add('churn chain');
          if (f.kind === 'partition' && f.from[0]?.startsWith('@leader') && f.to.includes('@follower-1')) seen.add('leader isolation');
          if (f.kind === 'partition' && f.from.includes('@observed')) seen.add('churn isolation');
          if (f.kind === 'degrade' && /^d\d+$/.test(f.id) && f.link.latency?.kind === 'uniform' && f.link.latency.minMs >= 450) seen.add('long delay');
          // A peer delay: both directions between the target and each other peer, never the target with itself.
          if (f.kind === 'degrade' && /^d\d+\.\d+>$/.test(f.id)) {
            seen.add('peer delay');
            expect(f.from).not.toBe(f.to);
            expect(flatten(schedule).some((g) => g.kind === 'degrade' && g.id === f.id.replace('>', '<') && g.from === f.to && g.to === f.from)).toBe(true);
          }
          if (f.kind === 'replace') seen.add('replace');
        }
      }),
      { numRuns: 300, seed: 7 },
    );
    expect([...seen].sort()).toEqual(['churn chain', 'churn isolation', 'crash @observed', 'leader isolation', 'long delay', 'peer delay', 'replace']);
  });
});

describe('the Figure 8 episode', () => {
  const roles = (n: number) => ['@leader', ...Array.from({ length: n - 1 }, (_, i) => `@follower-${i + 1}`)];
  const figure8Space = (n: number): FaultSpace => ({
    crashable: ['@leader'],
    partitionable: [...roles(n), 'client'],
    horizonMs: 9_000,
    minEpisodes: 1,
    maxEpisodes: 1,
    kinds: ['figure8'],
    isolate: { target: '@leader', peers: roles(n).slice(1) },
    figure8: { leader: 'obs.raft.leader', commit: 'derived.commit' },
  });
  const triggers = (schedule: FaultSchedule) => flatten(schedule).filter((f) => f.kind === 'trigger');

  it('is a chain: L1 isolated when elected, L2 isolated when elected, the next leader cut off when it first commits', () => {
    for (const n of [3, 5]) {
      fc.assert(
        fc.property(faultScheduleArb(figure8Space(n)), (schedule) => {
          expect(validateSchedule(schedule)).toBe(schedule);
          expect(hasFigure8(schedule)).toBe(true);
          // The leader is crashed to force an election; it comes back within 1.5 s, in the first half.
          const [crash, trigger] = schedule.filter((f) => f.kind !== 'restart');
          expect(crash).toMatchObject({ kind: 'crash', target: '@leader#0' });
          expect(crash.at).toBeLessThanOrEqual(4_500);
          expect(trigger).toMatchObject({ kind: 'trigger', on: 'obs.raft.leader' });
          expect(triggers(schedule).map((t) => (t.kind === 'trigger' ? t.on : ''))).toEqual(['obs.raft.leader', 'obs.raft.leader', 'derived.commit']);
          // Every isolation is healed within its own step, so a chain that stalls leaves nothing cut.
          for (const t of [{ faults: schedule }, ...triggers(schedule)] as { faults: Fault[] }[]) {
            for (const p of t.faults) {
              if (p.kind === 'partition') expect(t.faults.some((h) => h.kind === 'heal' && h.id === p.id)).toBe(true);
            }
          }
          // Both isolated sides together hold at least half the group: the rest cannot elect a leader.
          const isolated = flatten(schedule).filter((f) => f.kind === 'partition' && /^f8-0\.[12]$/.test(f.id));
          const members = (f: Fault) => (f.kind === 'partition' ? f.from.filter((e) => e.startsWith('@')).length : 0);
          expect(isolated.reduce((sum, f) => sum + members(f), 0)).toBeGreaterThanOrEqual(Math.ceil(n / 2));
          // The last cut: from every member.
          const last = flatten(schedule).find((f) => f.kind === 'partition' && f.id === 'f8-0.3');
          expect(last).toMatchObject({ from: ['@observed'], to: roles(n) });
        }),
        { numRuns: numRuns(50) },
      );
    }
  });

  it('is not generated unless the space asks for it', () => {
    const { figure8: _, ...without } = figure8Space(3);
    fc.assert(fc.property(faultScheduleArb({ ...without, kinds: undefined, minEpisodes: 3, maxEpisodes: 6 }), (schedule) => !hasFigure8(schedule)), { numRuns: 100 });
  });
});
