import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  advance,
  createContainer,
  latestContainer,
  newRuntime,
  nextRuntimeDeadline,
  pullImage,
  runPodSandbox,
  startContainer,
  stopContainer,
} from '../../src/kubelet/runtime.ts';
import type { RuntimeState } from '../../src/kubelet/runtime.ts';
import { DEFAULT_BEHAVIOR } from '../../src/kubelet/workload.ts';
import type { ContainerBehavior } from '../../src/kubelet/workload.ts';
import { numRuns } from '../fc.ts';
import { makePod } from './helpers.ts';

const pod = makePod({});

function running(behavior: Partial<ContainerBehavior>, memoryLimit?: string, at = 0): { state: RuntimeState; id: string } {
  let s = newRuntime('node-1');
  s = advance(pullImage(s, 'nginx:1.25', {}, 0).state, 5000).state;
  const sb = runPodSandbox(s, pod, '10.244.1.2', at);
  const created = createContainer(
    sb.state,
    { sandboxId: sb.sandboxId, container: { name: 'app', image: 'nginx:1.25', resources: memoryLimit ? { limits: { memory: memoryLimit } } : {} }, attempt: 0, behavior: { ...DEFAULT_BEHAVIOR, ...behavior } },
    at,
  );
  return { state: startContainer(created.state, created.containerId, at), id: created.containerId };
}

describe('container runtime', () => {
  it('serializes pulls: the second waits for the first, joins of the same image share one pull', () => {
    let s = newRuntime('node-1');
    const a = pullImage(s, 'nginx:1.25', {}, 0);
    const b = pullImage(a.state, 'redis:7', {}, 100);
    const c = pullImage(b.state, 'docker.io/library/nginx:1.25', {}, 200);
    expect(c.pullId).toBe(a.pullId);
    s = c.state;
    expect(s.pulls[b.pullId].startedAt).toBe(s.pulls[a.pullId].doneAt);
    const { state, events } = advance(s, 60_000);
    expect(events.map((e) => e.type)).toEqual(['ImagePulled', 'ImagePulled']);
    expect(Object.keys(state.images)).toContain('docker.io/library/redis:7');
  });

  it('runs a process to completion: exit 0 is Completed, anything else Error', () => {
    for (const [code, reason] of [[0, 'Completed'], [3, 'Error']] as const) {
      const { state, id } = running({ exitAfterMs: 4000, exitCode: code }, undefined, 1000);
      expect(nextRuntimeDeadline(state)).toBe(5000);
      const { state: after, events } = advance(state, 10_000);
      expect(events).toEqual([{ type: 'ContainerExited', at: 5000, containerId: id, podUid: 'uid-web', name: 'app', exitCode: code, reason }]);
      expect(after.containers[id]).toMatchObject({ state: 'exited', startedAt: 1000, finishedAt: 5000, exitCode: code, reason });
    }
  });

  it('OOM-kills a process whose working set exceeds its memory limit: 137, OOMKilled', () => {
    const { state, id } = running({ memoryUsageBytes: 300 * 2 ** 20, startDelayMs: 2000 }, '256Mi');
    const { state: after } = advance(state, 2000);
    expect(after.containers[id]).toMatchObject({ state: 'exited', exitCode: 137, reason: 'OOMKilled', finishedAt: 2000 });
    const fits = running({ memoryUsageBytes: 200 * 2 ** 20 }, '256Mi');
    expect(advance(fits.state, 1e9).state.containers[fits.id].state).toBe('running');
  });

  it('stops with SIGTERM and, past the grace period, SIGKILL (137)', () => {
    const polite = running({ shutdownDelayMs: 1500, termExitCode: 0 });
    const a = advance(stopContainer(polite.state, polite.id, 30_000, 10_000), 60_000).state.containers[polite.id];
    expect(a).toMatchObject({ exitCode: 0, reason: 'Completed', finishedAt: 11_500, stopRequestedAt: 10_000 });
    const stubborn = running({ shutdownDelayMs: null });
    const b = advance(stopContainer(stubborn.state, stubborn.id, 30_000, 10_000), 60_000).state.containers[stubborn.id];
    expect(b).toMatchObject({ exitCode: 137, reason: 'Error', finishedAt: 40_000 });
  });

  it('is plain JSON: a restarted kubelet finds the same containers running', () => {
    const { state, id } = running({});
    const reloaded = JSON.parse(JSON.stringify(state)) as RuntimeState;
    expect(reloaded).toEqual(state);
    expect(latestContainer(reloaded, 'uid-web', 'app')?.id).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
  });

  // A runtime with a few containers and pulls whose exits and completions fall at arbitrary times.
  const runtimeArb = fc
    .array(fc.record({ exitAfter: fc.option(fc.integer({ min: 0, max: 5000 })), code: fc.integer({ min: 0, max: 2 }), stopAt: fc.option(fc.integer({ min: 0, max: 5000 })), grace: fc.integer({ min: 0, max: 3000 }) }), { minLength: 1, maxLength: 5 })
    .map((specs) => {
      let s = advance(pullImage(newRuntime('n'), 'nginx:1.25', {}, 0).state, 2000).state;
      s = pullImage(s, 'redis:7', {}, 0).state;
      const sb = runPodSandbox(s, pod, '10.244.1.2', 0);
      s = sb.state;
      specs.forEach((spec, i) => {
        const c = createContainer(s, { sandboxId: sb.sandboxId, container: { name: `c${i}`, image: 'nginx:1.25' }, attempt: 0, behavior: { ...DEFAULT_BEHAVIOR, exitAfterMs: spec.exitAfter, exitCode: spec.code } }, 0);
        s = startContainer(c.state, c.containerId, 0);
        if (spec.stopAt !== null) s = stopContainer(s, c.containerId, spec.grace, 0);
      });
      return s;
    });

  it('advance is idempotent and composes: advance(t1) then advance(t2) ≡ advance(t2)', () => {
    fc.assert(
      fc.property(runtimeArb, fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 0, max: 8000 }), (s, a, b) => {
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        const once = advance(s, t2);
        const twice = advance(once.state, t2);
        expect(twice.state).toEqual(once.state);
        expect(twice.events).toEqual([]);
        const first = advance(s, t1);
        const second = advance(first.state, t2);
        expect(second.state).toEqual(once.state);
        expect([...first.events, ...second.events]).toEqual(once.events);
      }),
      { numRuns: numRuns(100) },
    );
  });

  it('advance is monotone: events come in time order, never after `now`, and exits are final', () => {
    fc.assert(
      fc.property(runtimeArb, fc.array(fc.integer({ min: 0, max: 8000 }), { maxLength: 6 }), (s, times) => {
        let state = s;
        const exited = new Set<string>();
        for (const t of times) {
          const r = advance(state, t);
          for (let i = 1; i < r.events.length; i++) expect(r.events[i].at).toBeGreaterThanOrEqual(r.events[i - 1].at);
          for (const e of r.events) {
            expect(e.at).toBeLessThanOrEqual(t);
            if (e.type === 'ContainerExited') {
              expect(exited.has(e.containerId)).toBe(false);
              exited.add(e.containerId);
            }
          }
          expect(r.state.now).toBe(Math.max(state.now, t));
          state = r.state;
        }
        for (const id of exited) expect(state.containers[id].state).toBe('exited');
      }),
      { numRuns: numRuns(100) },
    );
  });
});
