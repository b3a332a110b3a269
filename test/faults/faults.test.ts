import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { faultScheduleArb } from '../../src/faults/arbitrary.ts';
import { decodeSchedule, encodeSchedule, scheduleEnd, validateSchedule, type FaultSchedule } from '../../src/faults/schedule.ts';
import { applySchedule } from '../../src/faults/apply.ts';
import { Simulation } from '../../src/host/simulation.ts';
import { gossipMachine } from '../../machines/gossip/gossip.machine.ts';
import { numRuns } from '../fc.ts';

const space = { crashable: ['a', 'b', 'c'], partitionable: ['a', 'b', 'c'], horizonMs: 10_000 };

describe('fault schedules', () => {
  it('generates valid, time-ordered schedules where every crash is restarted and every partition healed', () => {
    fc.assert(
      fc.property(faultScheduleArb(space), (schedule) => {
        expect(validateSchedule(schedule)).toBe(schedule);
        for (let i = 1; i < schedule.length; i++) expect(schedule[i].at).toBeGreaterThanOrEqual(schedule[i - 1].at);
        const crashes = schedule.filter((f) => f.kind === 'crash').length;
        expect(schedule.filter((f) => f.kind === 'restart')).toHaveLength(crashes);
        const partitions = schedule.filter((f) => f.kind === 'partition').map((f) => f.kind === 'partition' && f.id);
        expect(schedule.filter((f) => f.kind === 'heal').map((f) => f.kind === 'heal' && f.id)).toEqual(expect.arrayContaining(partitions));
        expect(decodeSchedule(encodeSchedule(schedule))).toEqual(schedule);
      }),
      { numRuns: numRuns(200) },
    );
  });

  it('shrinks a failing schedule to the one episode that matters', () => {
    // "b never crashes" is false for some schedules; the counterexample must shrink to a crash of b alone.
    const result = fc.check(
      fc.property(faultScheduleArb(space), (schedule) => !schedule.some((f) => f.kind === 'crash' && f.target === 'b')),
      { seed: 1234, numRuns: 500 },
    );
    expect(result.failed).toBe(true);
    const [shrunk] = result.counterexample as [FaultSchedule];
    expect(shrunk).toEqual([
      { at: 0, kind: 'crash', target: 'b', loseUnsynced: false },
      { at: 1, kind: 'restart', target: 'b' },
    ]);
  });

  it('rejects malformed schedules with a message naming the entry', () => {
    expect(() => validateSchedule({})).toThrow('must be a list');
    expect(() => validateSchedule([{ at: -1, kind: 'crash', target: 'a' }])).toThrow('fault[0].at');
    expect(() => validateSchedule([{ at: 1, kind: 'explode' }])).toThrow('fault[0].kind: must be one of');
    expect(() => validateSchedule([{ at: 1, kind: 'partition', id: 'p', from: ['a'] }])).toThrow('fault[0].to: required');
    expect(() => decodeSchedule('%%%')).toThrow('not valid base64url');
  });

  it('applies crash/restart, partition/heal and timed degradations at their times', () => {
    const sim = new Simulation({ seed: 1 });
    for (const p of ['a', 'b', 'c']) sim.add(p, gossipMachine, { peers: ['a', 'b', 'c'] });
    const schedule: FaultSchedule = [
      { at: 100, kind: 'crash', target: 'a' },
      { at: 200, kind: 'partition', id: 'p', from: ['b'], to: ['c'] },
      { at: 300, kind: 'degrade', id: 'd', from: '*', to: '*', link: { drop: 1 }, durationMs: 100 },
      { at: 500, kind: 'restart', target: 'a' },
      { at: 600, kind: 'heal', id: 'p' },
      { at: 700, kind: 'crash', target: 'nobody' }, // a component this run does not have is skipped
    ];
    const applied: number[] = [];
    applySchedule(sim, schedule, (f) => applied.push(f.at));
    sim.runUntil(150);
    expect(sim.host('a').status).toBe('crashed');
    sim.runUntil(250);
    expect(sim.network.isCut('c', 'b')).toBe(true);
    sim.runUntil(350);
    expect(sim.network.link('b', 'c').drop).toBe(1);
    sim.runUntil(450);
    expect(sim.network.link('b', 'c').drop).toBe(0);
    sim.runUntil(800);
    expect(sim.host('a').status).toBe('running');
    expect(sim.network.isCut('c', 'b')).toBe(false);
    expect(applied).toEqual([100, 200, 300, 500, 600, 700]);
    expect(scheduleEnd(schedule)).toBe(700);
  });
});
