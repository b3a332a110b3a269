import { describe, expect, it } from 'vitest';
import type { Container } from 'kubernetes-types/core/v1.js';
import { doProbe, newProbeWorkers, probeKillMessage, probeView, runCheck } from '../../src/kubelet/probes.ts';
import type { ProbeWorker } from '../../src/kubelet/probes.ts';
import type { ContainerRecord } from '../../src/kubelet/runtime.ts';
import { DEFAULT_BEHAVIOR } from '../../src/kubelet/workload.ts';
import type { ContainerBehavior } from '../../src/kubelet/workload.ts';
import { makePod, simulate } from './helpers.ts';

const record = (behavior: Partial<ContainerBehavior>, id = 'c1'): ContainerRecord => ({
  id, seq: 1, sandboxId: 's', podUid: 'uid-web', name: 'app', attempt: 0, specImage: 'nginx:1.25', image: 'docker.io/library/nginx:1.25', imageId: 'x',
  state: 'running', createdAt: 0, startedAt: 0, finishedAt: null, exitCode: null, reason: null, scheduledExit: null, stopRequestedAt: null,
  behavior: { ...DEFAULT_BEHAVIOR, ...behavior }, memoryLimitBytes: null,
});

function tick(worker: ProbeWorker, container: Container, rec: ContainerRecord, times: number[]) {
  const pod = makePod({ containers: [container] });
  const out: { at: number; result: string; events: string[] }[] = [];
  for (const at of times) {
    const step = doProbe(worker, { pod, container, record: rec, started: true, podIP: '10.244.1.2' }, at);
    worker = step.worker;
    out.push({ at, result: worker.result, events: step.events.map((e) => e.message) });
  }
  return { worker, out };
}

describe('probes', () => {
  const http = { httpGet: { path: '/healthz', port: 'http' as const } };
  const container: Container = { name: 'app', ports: [{ name: 'http', containerPort: 8080 }], livenessProbe: { ...http, failureThreshold: 3, initialDelaySeconds: 5 }, readinessProbe: { ...http, successThreshold: 2 } };

  it('describe failures as the HTTP, TCP, exec and gRPC probers do', () => {
    const rec = record({ startDelayMs: 10_000 });
    const check = (probe: object, at: number, behavior: Partial<ContainerBehavior> = {}) => runCheck('liveness', probe, { ...container, livenessProbe: probe }, { ...rec, behavior: { ...rec.behavior, ...behavior } }, '10.244.1.2', at)?.output;
    expect(check(http, 0)).toBe('Get "http://10.244.1.2:8080/healthz": dial tcp 10.244.1.2:8080: connect: connection refused');
    expect(check(http, 20_000, { livenessFailsAfterMs: 15_000 })).toBe('HTTP probe failed with statuscode: 500');
    expect(check(http, 20_000, { probeLatencyMs: 5000 })).toBe('Get "http://10.244.1.2:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
    expect(check({ tcpSocket: { port: 5432 } }, 0)).toBe('dial tcp 10.244.1.2:5432: connect: connection refused');
    expect(runCheck('liveness', { tcpSocket: { port: 5432 } }, container, { ...rec, behavior: { ...rec.behavior, livenessFailsAfterMs: 0 } }, '10.244.1.2', 20_000)?.result).toBe('Success');
    expect(check({ exec: { command: ['cat', '/tmp/healthy'] } }, 0)).toBe('');
    expect(check({ grpc: { port: 9090 } }, 20_000, { livenessFailsAfterMs: 0 })).toBe('service unhealthy (responded with "NOT_SERVING")');
  });

  it('wait for initialDelaySeconds and publish liveness failure only after failureThreshold failures in a row', () => {
    const [liveness] = newProbeWorkers(container, 0).filter((w) => w.kind === 'liveness');
    const { out, worker } = tick(liveness, container, record({ startDelayMs: 3000, livenessFailsAfterMs: 12_000 }), [0, 10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(out.map((o) => o.result)).toEqual(['Success', 'Success', 'Success', 'Success', 'Failure', 'Failure']);
    expect(out.map((o) => o.events.length)).toEqual([0, 0, 1, 1, 1, 0]); // on hold after publishing
    expect(out[2].events[0]).toBe('Liveness probe failed: HTTP probe failed with statuscode: 500');
    expect(worker.onHold).toBe(true);
    expect(probeKillMessage([worker], makePod({}), record({}))).toBe('Container app failed liveness probe, will be restarted');
    expect(probeKillMessage([worker], makePod({ restartPolicy: 'Never' }), record({}))).toBe('Container app failed liveness probe');
  });

  it('start readiness as Failure and need successThreshold successes', () => {
    const [readiness] = newProbeWorkers(container, 0).filter((w) => w.kind === 'readiness');
    expect(readiness.result).toBe('Failure');
    const { out, worker } = tick(readiness, container, record({ startDelayMs: 5000 }), [0, 10_000, 20_000]);
    expect(out.map((o) => o.result)).toEqual(['Failure', 'Failure', 'Success']);
    expect(probeView([worker], 'app', record({}, 'c1'))).toEqual({ started: true, ready: true });
    expect(probeView([worker], 'app', record({}, 'other-instance'))).toEqual({ started: true, ready: false });
  });

  it('restart a container whose liveness probe fails, with Unhealthy and Killing events', () => {
    const pod = makePod({ annotations: { 'kubesim.io/liveness-fails-after-ms': '30000' }, containers: [{ livenessProbe: { httpGet: { path: '/healthz', port: 8080 } } }] });
    const r = simulate(pod, 70_000);
    const lines = r.events.filter((e) => e.at >= 40_000).map((e) => `${e.reason}: ${e.message}`);
    expect(lines).toEqual([
      'Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500',
      'Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500',
      'Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500',
      'Killing: Container app failed liveness probe, will be restarted',
      'Pulled: Container image "nginx:1.25" already present on machine',
      'Created: Created container app',
      'Started: Started container app',
    ]);
    expect(r.pod.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 1, lastState: { terminated: { exitCode: 0, reason: 'Completed' } } });
  });

  it('keep a slow starter out of service until its startup probe passes, and kill it if it never does', () => {
    const startup = { httpGet: { path: '/', port: 80 }, periodSeconds: 5, failureThreshold: 4 };
    const slow = simulate(makePod({ annotations: { 'kubesim.io/start-delay-ms': '12000' }, containers: [{ startupProbe: startup }] }), 30_000);
    const at = (t: number) => slow.frames.filter((f) => f.at <= t).at(-1)!.pod.status!.containerStatuses![0];
    expect(at(8000)).toMatchObject({ started: false, ready: false });
    expect(at(30_000)).toMatchObject({ started: true, ready: true });
    const stuck = simulate(makePod({ annotations: { 'kubesim.io/start-delay-ms': '600000' }, containers: [{ startupProbe: startup }] }), 30_000);
    expect(stuck.events.map((e) => e.message)).toContain('Container app failed startup probe, will be restarted');
  });
});
