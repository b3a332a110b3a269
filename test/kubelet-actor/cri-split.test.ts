import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { applyCall } from '../../machines/container-runtime/cri-server.ts';
import { takeJournal, withJournal, type RuntimeSnapshot } from '../../src/kubelet/cri.ts';
import { newKubelet, removePod, type KubeletState } from '../../src/kubelet/kubelet-state.ts';
import { advance } from '../../src/kubelet/runtime.ts';
import { syncPod } from '../../src/kubelet/sync.ts';
import { numRuns } from '../fc.ts';
import { NODE, deleteAt, makePod } from '../kubelet/helpers.ts';

/**
 * The kubelet actor runs the pure pod sync against its copy of the runtime and sends the CRI calls the sync
 * journaled; the runtime actor applies them to its own state. With no time between the two (a zero-latency
 * bus) the runtime must end up exactly where the kubelet's copy predicted, for any workload.
 */
function replay(snapshot: RuntimeSnapshot, calls: ReturnType<typeof takeJournal>[0], now: number): RuntimeSnapshot {
  let s: RuntimeSnapshot = { ...snapshot, runtime: advance(snapshot.runtime, now).state };
  for (const call of calls) s = applyCall(s, {}, call, now).snapshot;
  // What falls due at once (an OOM kill at start) happens on the runtime's next timer, at the same instant.
  return { ...s, runtime: advance(s.runtime, now).state };
}

function drive(pods: Pod[], updates: { at: number; uid: string; apply: (p: Pod) => Pod }[], until: number, check: (predicted: KubeletState, actual: RuntimeSnapshot, calls: number) => void): void {
  let kubelet = newKubelet(NODE);
  let runtime: RuntimeSnapshot = { runtime: kubelet.runtime, ipam: kubelet.ipam };
  const current = new Map(pods.map((p) => [p.metadata!.uid!, p]));
  const next = new Map(pods.map((p) => [p.metadata!.uid!, 0]));
  const pending = [...updates].sort((a, b) => a.at - b.at);
  for (let i = 0; i < 2_000; i++) {
    const t = Math.min(...next.values(), pending[0]?.at ?? Infinity);
    if (t === Infinity || t > until) return;
    while (pending.length > 0 && pending[0].at <= t) {
      const u = pending.shift()!;
      const pod = current.get(u.uid);
      if (pod) current.set(u.uid, u.apply(pod));
      next.set(u.uid, t);
    }
    let core: KubeletState = { ...kubelet, runtime: withJournal(kubelet.runtime) };
    for (const [uid, at] of next) {
      if (at !== t) continue;
      const r = syncPod(core, current.get(uid)!, t);
      core = r.state;
      current.set(uid, { ...current.get(uid)!, status: r.status });
      next.set(uid, r.nextSyncAt ?? Infinity);
      // A terminated, deleted pod leaves the API: the kubelet removes it from the runtime.
      if (r.state.pods[uid]?.terminal && current.get(uid)!.metadata?.deletionTimestamp) {
        core = removePod(core, uid);
        current.delete(uid);
        next.delete(uid);
      }
    }
    const [calls, predicted] = takeJournal(core.runtime);
    runtime = replay(runtime, calls, t);
    check({ ...core, runtime: predicted }, runtime, calls.length);
    kubelet = { ...core, runtime: runtime.runtime, ipam: runtime.ipam };
  }
}

describe('the kubelet/runtime split', () => {
  it('replaying the journaled CRI calls reproduces the state the kubelet predicted, for any workload', () => {
    const workload = fc.record({
      exitAfter: fc.option(fc.integer({ min: 0, max: 20_000 })),
      code: fc.constantFrom('0', '1'),
      policy: fc.constantFrom('Always', 'OnFailure', 'Never') as fc.Arbitrary<'Always' | 'OnFailure' | 'Never'>,
      oom: fc.boolean(),
      image: fc.constantFrom('nginx:1.25', 'redis:7', 'doesnotexist:1'),
      liveness: fc.option(fc.integer({ min: 0, max: 30_000 })),
      deleteAt: fc.option(fc.integer({ min: 0, max: 60_000 })),
    });
    let totalCalls = 0;
    fc.assert(
      fc.property(fc.array(workload, { minLength: 1, maxLength: 3 }), (ws) => {
        const pods = ws.map((w, i) => {
          const annotations: Record<string, string> = { 'kubesim.io/exit-code': w.code };
          if (w.exitAfter !== null) annotations['kubesim.io/exit-after-ms'] = String(w.exitAfter);
          if (w.oom) annotations['kubesim.io/memory-usage'] = '1Gi';
          if (w.liveness !== null) annotations['kubesim.io/liveness-fails-after-ms'] = String(w.liveness);
          return makePod({
            name: `p${i}`, restartPolicy: w.policy, annotations,
            containers: [{ image: w.image, resources: { limits: { memory: '512Mi' } }, livenessProbe: { exec: { command: ['true'] } } }],
          });
        });
        const updates = ws.flatMap((w, i) => (w.deleteAt === null ? [] : [{ ...deleteAt(w.deleteAt, 5), uid: pods[i].metadata!.uid! }]));
        drive(pods, updates, 120_000, (predicted, actual, calls) => {
          totalCalls += calls;
          expect(actual.runtime).toEqual(predicted.runtime);
          expect(actual.ipam).toEqual(predicted.ipam);
        });
      }),
      { numRuns: numRuns(60) },
    );
    expect(totalCalls).toBeGreaterThan(0);
  });

  it('catches a runtime that applies a call differently (a planted bug)', () => {
    const pod = makePod({});
    let diverged = false;
    const kubelet = newKubelet(NODE);
    const core = { ...kubelet, runtime: withJournal(kubelet.runtime) };
    const r = syncPod(core, pod, 0);
    const [calls, predicted] = takeJournal(r.state.runtime);
    // The planted bug: the runtime loses the first call of the round.
    const actual = replay({ runtime: kubelet.runtime, ipam: kubelet.ipam }, calls.slice(1), 0);
    try {
      expect(actual.runtime).toEqual(predicted);
    } catch {
      diverged = true;
    }
    expect(calls.map((c) => c.method)).toEqual(['RunPodSandbox', 'PullImage']);
    expect(diverged).toBe(true);
  });
});
