import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOR, containerBehavior, healthAnswer, validateWorkloadAnnotations } from '../../src/kubelet/workload.ts';
import { makePod } from './helpers.ts';

describe('workload annotations', () => {
  it('defaults to a process that runs forever, healthy, exiting 0 on SIGTERM', () => {
    expect(containerBehavior(makePod({}), 'app')).toEqual(DEFAULT_BEHAVIOR);
  });

  it('applies pod-wide settings to every container and lets kubesim.io/<container>.<setting> override them', () => {
    const pod = makePod({
      containers: [{}, {}],
      annotations: {
        'kubesim.io/exit-after-ms': '5000',
        'kubesim.io/exit-code': '2',
        'kubesim.io/c1.exit-code': '0',
        'kubesim.io/app.memory-usage': '300Mi',
        'kubesim.io/c1.shutdown-delay-ms': 'never',
      },
    });
    expect(containerBehavior(pod, 'app')).toMatchObject({ exitAfterMs: 5000, exitCode: 2, memoryUsageBytes: 300 * 1024 * 1024, shutdownDelayMs: 0 });
    expect(containerBehavior(pod, 'c1')).toMatchObject({ exitAfterMs: 5000, exitCode: 0, memoryUsageBytes: null, shutdownDelayMs: null });
  });

  it('lets init containers finish by default, but not sidecars', () => {
    const pod = makePod({ initContainers: [{}, { restartPolicy: 'Always' }] });
    expect(containerBehavior(pod, 'init0').exitAfterMs).toBe(1000);
    expect(containerBehavior(pod, 'init1').exitAfterMs).toBeNull();
  });

  it('reports unknown settings, unknown containers and bad values, and ignores them', () => {
    const pod = makePod({ annotations: { 'kubesim.io/exit-code': '300', 'kubesim.io/nope.exit-code': '1', 'kubesim.io/colour': 'red', 'other.io/x': 'y' } });
    expect(validateWorkloadAnnotations(pod)).toEqual([
      'kubesim.io/exit-code: invalid value "300"',
      'kubesim.io/nope.exit-code: no container named "nope"',
      'kubesim.io/colour: unknown setting "colour"',
    ]);
    expect(containerBehavior(pod, 'app').exitCode).toBe(0);
  });

  it('answers health checks: refused before up, then ok until the failure time, timeouts over the probe timeout', () => {
    const b = { ...DEFAULT_BEHAVIOR, startDelayMs: 3000, livenessFailsAfterMs: 20_000, readinessFailsAfterMs: 10_000 };
    expect(healthAnswer(b, 'liveness', 2999, 1000)).toEqual({ kind: 'refused' });
    expect(healthAnswer(b, 'liveness', 3000, 1000)).toEqual({ kind: 'ok' });
    expect(healthAnswer(b, 'readiness', 10_000, 1000)).toEqual({ kind: 'error', status: 503 });
    expect(healthAnswer(b, 'liveness', 20_000, 1000)).toEqual({ kind: 'error', status: 500 });
    expect(healthAnswer(b, 'startup', 50_000, 1000)).toEqual({ kind: 'ok' });
    expect(healthAnswer({ ...b, probeLatencyMs: 1500 }, 'readiness', 5000, 1000)).toEqual({ kind: 'timeout' });
  });
});
