import { describe, expect, it } from 'vitest';
import { traceItems } from '../../src/trace/message-flow.ts';
import { toPerfetto, type PerfettoTrace, type TraceEvent } from '../../src/trace/perfetto.ts';
import { renderTrace } from '../../src/trace/render.ts';
import { parseTrace } from '../../src/trace/trace-file.ts';
import { runGossip } from '../../src/scenarios/gossip.ts';
import { SMALL_TRACE } from './fixtures/small-trace.ts';

/** What Perfetto's JSON importer needs to draw every event on a named track and every flow arrow. */
function expectValidTrace(trace: PerfettoTrace): void {
  const parsed = JSON.parse(JSON.stringify(trace)) as PerfettoTrace;
  expect(Array.isArray(parsed.traceEvents)).toBe(true);
  const threadNames = new Set(parsed.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}/${e.tid}`));
  const processNames = new Set(parsed.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.pid));
  const starts = new Map<number, TraceEvent>();
  const ends = new Map<number, TraceEvent>();
  let lastTs = -1;
  parsed.traceEvents.forEach((event, index) => {
    expect(['M', 'i', 's', 'f', 'X']).toContain(event.ph);
    expect(Number.isInteger(event.pid) && Number.isInteger(event.tid)).toBe(true);
    if (event.ph === 'M') return;
    expect(typeof event.ts === 'number' && event.ts >= 0).toBe(true);
    expect(threadNames.has(`${event.pid}/${event.tid}`) && processNames.has(event.pid)).toBe(true);
    if (event.ph === 'X') expect(event.dur).toBeGreaterThanOrEqual(0);
    if (event.ph === 'i') expect(event.s).toBe('t');
    if (event.ph === 's' || event.ph === 'f') {
      // A v1 flow binds to the instant just before it, on the same track at the same time.
      const bound = parsed.traceEvents[index - 1];
      expect([bound.ph, bound.pid, bound.tid, bound.ts]).toEqual(['i', event.pid, event.tid, event.ts]);
      (event.ph === 's' ? starts : ends).set(event.id!, event);
    }
    expect(event.ts!).toBeGreaterThanOrEqual(lastTs);
    lastTs = event.ts!;
  });
  for (const [id, end] of ends) {
    expect(starts.has(id)).toBe(true);
    expect(end.bp).toBe('e');
    expect(end.ts!).toBeGreaterThanOrEqual(starts.get(id)!.ts!);
  }
}

describe('Perfetto (Chrome trace-event) export', () => {
  it('gives a track per actor, instants for send and delivery joined by a flow, µs timestamps', () => {
    const trace = [
      { t: 1.5, k: 'send', id: 0, from: 'a', to: 'node-1/b', type: 'ping', d: '00' },
      { t: 2.25, k: 'deliver', id: 0, from: 'a', to: 'node-1/b', type: 'ping', d: '00' },
    ].map((line) => JSON.stringify(line)).join('\n');
    expect(JSON.parse(renderTrace(trace, { format: 'perfetto' }))).toEqual({
      traceEvents: [
        { name: 'process_name', ph: 'M', pid: 2, tid: 2, args: { name: 'a' } },
        { name: 'process_sort_index', ph: 'M', pid: 2, tid: 2, args: { sort_index: 2 } },
        { name: 'process_name', ph: 'M', pid: 3, tid: 3, args: { name: 'node-1' } },
        { name: 'process_sort_index', ph: 'M', pid: 3, tid: 3, args: { sort_index: 3 } },
        { name: 'thread_name', ph: 'M', pid: 2, tid: 1000, args: { name: 'a' } },
        { name: 'thread_sort_index', ph: 'M', pid: 2, tid: 1000, args: { sort_index: 1000 } },
        { name: 'thread_name', ph: 'M', pid: 3, tid: 1001, args: { name: 'node-1/b' } },
        { name: 'thread_sort_index', ph: 'M', pid: 3, tid: 1001, args: { sort_index: 1001 } },
        { name: 'ping', cat: 'send', ph: 'i', s: 't', ts: 1500, pid: 2, tid: 1000, args: { id: 0, from: 'a', to: 'node-1/b' } },
        { name: 'message', cat: 'message', ph: 's', id: 1, ts: 1500, pid: 2, tid: 1000 },
        { name: 'ping', cat: 'deliver', ph: 'i', s: 't', ts: 2250, pid: 3, tid: 1001, args: { id: 0, from: 'a', to: 'node-1/b' } },
        { name: 'message', cat: 'message', ph: 'f', bp: 'e', id: 1, ts: 2250, pid: 3, tid: 1001 },
      ],
      displayTimeUnit: 'ms',
      otherData: { source: 'kubesim trace (virtual time)' },
    });
  });

  it('draws drops, crash→restart downtime and partition→heal as slices, and stays valid', () => {
    const trace = toPerfetto(traceItems(parseTrace(SMALL_TRACE)));
    expectValidTrace(trace);
    const byName = (name: string) => trace.traceEvents.filter((event) => event.name === name);
    expect(byName('down')).toEqual([
      { name: 'down', cat: 'lifecycle', ph: 'X', ts: 360_000, dur: 90_000, pid: 3, tid: 1001, args: { incarnation: 0, lostWrites: 2 } },
    ]);
    expect(byName('partition p1').map(({ ph, ts, dur, pid }) => ({ ph, ts, dur, pid }))).toEqual([{ ph: 'X', ts: 250_000, dur: 100_000, pid: 1 }]);
    expect(byName('raft.heartbeat ✕ unreachable').map((event) => [event.cat, event.tid, event.args?.reason])).toEqual([['drop', 1001, 'unreachable']]);
    // The message still in flight at the end has a flow start and no end.
    const flowIds = (ph: string) => trace.traceEvents.filter((event) => event.ph === ph).map((event) => event.id);
    expect(flowIds('s').length).toBe(flowIds('f').length + 1);
  });

  it('exports a real run with faults as a valid trace', () => {
    const { trace } = runGossip({
      seed: 7, peers: 3, durationMs: 1_500,
      schedule: [
        { at: 200, kind: 'partition', id: 'p', from: ['peer-0'], to: ['peer-1', 'peer-2'] },
        { at: 300, kind: 'crash', target: 'peer-2', loseUnsynced: true },
        { at: 600, kind: 'heal', id: 'p' },
        { at: 700, kind: 'restart', target: 'peer-2' },
        { at: 800, kind: 'degrade', id: 'd', from: '*', to: 'peer-1', link: { drop: 0.5 }, durationMs: 300 },
      ],
    });
    const exported = toPerfetto(traceItems(parseTrace(trace)));
    expectValidTrace(exported);
    expect(exported.traceEvents.filter((event) => event.ph === 'X').map((event) => event.name).sort()).toEqual(['degrade d', 'down', 'partition p']);
  });
});
