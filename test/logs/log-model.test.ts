import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { numRuns } from '../fc.ts';
import { containerBehavior, DEFAULT_BEHAVIOR, type ContainerBehavior } from '../../src/kubelet/workload.ts';
import { advance, createContainer, newRuntime, runPodSandbox, startContainer, stopContainer, type ContainerRecord } from '../../src/kubelet/runtime.ts';
import {
  containerLog, criLogFile, formatLines, limitBytes, nextLogLineAt, rfc3339Nano, rfc3339NanoFixed, selectLines,
} from '../../src/kubelet/logs.ts';
import { logContainerId } from '../../src/kubelet/log-request.ts';

/** A container started at t=1000 on a fresh runtime, with `behavior`, advanced to `until`. */
function started(image: string, behavior: Partial<ContainerBehavior>, until: number, stopAt?: number): ContainerRecord {
  let s = newRuntime('node-1');
  const cached = { id: 'sha256:1', repoDigest: 'sha256:1', sizeBytes: 1 };
  s = { ...s, images: { ...s.images, 'docker.io/library/nginx:1.25': cached, 'docker.io/myorg/app:1': cached } };
  const sb = runPodSandbox(s, { metadata: { uid: 'u', name: 'web', namespace: 'default' } } as Pod, '10.244.1.2', 0);
  const c = createContainer(sb.state, { sandboxId: sb.sandboxId, container: { name: 'app', image }, attempt: 0, behavior: { ...DEFAULT_BEHAVIOR, ...behavior } }, 1000);
  let state = startContainer(c.state, c.containerId, 1000);
  if (stopAt !== undefined) state = stopContainer(advance(state, stopAt).state, c.containerId, 30_000, stopAt);
  return advance(state, until).state.containers[c.containerId];
}

describe('container log model', () => {
  it('formats timestamps as containerd and the kubelet do', () => {
    expect(rfc3339Nano(5000)).toBe('2024-04-17T00:00:05Z');
    expect(rfc3339Nano(5000.1)).toBe('2024-04-17T00:00:05.0001Z');
    expect(rfc3339NanoFixed(5000.1)).toBe('2024-04-17T00:00:05.000100000Z');
    expect(rfc3339NanoFixed(1234.5678)).toBe('2024-04-17T00:00:01.234567800Z');
  });

  it('nginx prints its entrypoint and notices at start, its shutdown on SIGQUIT', () => {
    const c = started('nginx:1.25', { shutdownDelayMs: 500 }, 20_000, 10_000);
    const lines = containerLog(c, 20_000);
    expect(lines[0]).toMatchObject({ at: 1000, stream: 'stdout', text: '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration' });
    expect(lines.map((l) => l.text)).toContain('2024/04/17 00:00:01 [notice] 1#1: nginx/1.25.5');
    expect(lines.filter((l) => l.at >= 10_000).map((l) => l.text)).toEqual([
      '2024/04/17 00:00:10 [notice] 1#1: signal 3 (SIGQUIT) received, shutting down',
      '2024/04/17 00:00:10 [notice] 29#29: exit',
      '2024/04/17 00:00:10 [notice] 30#30: exit',
      '2024/04/17 00:00:10 [notice] 1#1: exit',
    ]);
    expect(criLogFile(lines.slice(0, 1))).toBe('2024-04-17T00:00:01Z stdout F /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration\n');
  });

  it('annotations set the start-up lines, periodic lines and the last line before a crash', () => {
    const pod: Pod = { metadata: { annotations: {
      'kubesim.io/log-lines': 'starting\nlistening on :8080\n', 'kubesim.io/log-every-ms': '1000', 'kubesim.io/log-line': 'request {n}',
      'kubesim.io/exit-after-ms': '3500', 'kubesim.io/exit-code': '2',
    } }, spec: { containers: [{ name: 'app', image: 'myorg/app:1' }] } };
    const c = started('myorg/app:1', containerBehavior(pod, 'app'), 10_000);
    expect(containerLog(c, 10_000).map((l) => `${l.at} ${l.stream} ${l.text}`)).toEqual([
      '1000 stdout starting', '1000.1 stdout listening on :8080',
      '2000 stdout request 1', '3000 stdout request 2', '4000 stdout request 3', '4500 stderr Error: exiting with code 2',
    ]);
    expect(nextLogLineAt(started('myorg/app:1', containerBehavior(pod, 'app'), 2500), 2500)).toBe(3000);
  });

  it('tailLines first, then since; timestamps and limitBytes', () => {
    const c = started('myorg/app:1', { logLines: [], logEveryMs: 1000 }, 10_500);
    const lines = containerLog(c, 10_500);
    expect(lines).toHaveLength(9);
    expect(formatLines(selectLines(lines, { tailLines: 2 }, 10_500), {})).toBe('tick 8\ntick 9\n');
    expect(selectLines(lines, { tailLines: 5, sinceSeconds: 2 }, 10_500).map((l) => l.text)).toEqual(['tick 8', 'tick 9']);
    expect(formatLines(selectLines(lines, { tailLines: 1 }, 10_500), { timestamps: true })).toBe('2024-04-17T00:00:10.000000000Z tick 9\n');
    expect(limitBytes('tick 1\ntick 2\n', 9)).toEqual({ text: 'tick 1\nti', remaining: 0 });
  });

  it('lines only ever get appended: reading up to t, then (t, u], is reading up to u', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }), fc.option(fc.integer({ min: 0, max: 20_000 })), fc.option(fc.integer({ min: 1000, max: 20_000 })),
        fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 30_000 }), fc.boolean(),
        (every, exitAfter, stopAt, t1, t2, nginx) => {
          const [a, b] = t1 <= t2 ? [t1, t2] : [t2, t1];
          const c = started(nginx ? 'nginx:1.25' : 'myorg/app:1', { logEveryMs: every, exitAfterMs: exitAfter, exitCode: 1 }, b, stopAt ?? undefined);
          const whole = containerLog(c, b);
          expect([...containerLog(c, a), ...containerLog(c, b, a)]).toEqual(whole);
        },
      ),
      { numRuns: numRuns(100) },
    );
  });
});

describe('which instance a log request reads (validateContainerLogStatus)', () => {
  const running: ContainerStatus = {
    name: 'app', image: 'nginx:1.25', imageID: '', ready: true, restartCount: 2, containerID: 'containerd://c3',
    state: { running: {} }, lastState: { terminated: { exitCode: 1, containerID: 'containerd://c2' } },
  };
  it('the running one, or the previous one with --previous', () => {
    expect(logContainerId('web-1', { containerStatuses: [running] }, 'app', false)).toEqual({ id: 'c3', attempt: 2 });
    expect(logContainerId('web-1', { containerStatuses: [running] }, 'app', true)).toEqual({ id: 'c2', attempt: 1 });
  });
  it("explains why there is none, in the kubelet's words", () => {
    const waiting = (reason: string): PodStatus => ({ containerStatuses: [{ ...running, restartCount: 0, containerID: undefined, state: { waiting: { reason } }, lastState: {} }] });
    expect(logContainerId('web-1', waiting('ContainerCreating'), 'app', false)).toEqual({ error: 'container "app" in pod "web-1" is waiting to start: ContainerCreating' });
    expect(logContainerId('web-1', waiting('ImagePullBackOff'), 'app', false)).toEqual({ error: 'container "app" in pod "web-1" is waiting to start: trying and failing to pull image' });
    expect(logContainerId('web-1', waiting('ContainerCreating'), 'app', true)).toEqual({ error: 'previous terminated container "app" in pod "web-1" not found' });
    expect(logContainerId('web-1', {}, 'app', false)).toEqual({ error: 'container "app" in pod "web-1" is not available' });
  });
});
