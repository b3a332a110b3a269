import { describe, expect, it } from 'vitest';
import { kubeletEvents, podReference, toCoreEvent } from '../../src/kubelet/events.ts';
import { makePod } from './helpers.ts';

const pod = makePod({ name: 'web-7d4b8c6f5-x2p9k', uid: '3f0c2a', initContainers: [{}] });

describe('kubelet events', () => {
  it('use the v1.30 reasons and messages', () => {
    const e = kubeletEvents;
    const rows = [
      e.pulling(pod, 'app', 'nginx:1.25', 0),
      e.pulled(pod, 'app', 'nginx:1.25', 2100.7, 3400.2, 70542235, 0),
      e.alreadyPresent(pod, 'app', 'nginx:1.25', 0),
      e.pullFailed(pod, 'app', 'doesnotexist:1', 'rpc error: boom', 0),
      e.failed(pod, 'app', 'ErrImagePull', 0),
      e.pullBackOff(pod, 'app', 'doesnotexist:1', 0),
      e.created(pod, 'app', 0),
      e.started(pod, 'app', 0),
      e.killing(pod, 'app', 0),
      e.killing(pod, 'app', 0, 'Container app failed liveness probe, will be restarted'),
      e.backOff(pod, 'app', 0),
      e.unhealthy(pod, 'app', 'Readiness', 'HTTP probe failed with statuscode: 503', 0),
    ].map((x) => `${x.type} ${x.reason}: ${x.message}`);
    expect(rows).toEqual([
      'Normal Pulling: Pulling image "nginx:1.25"',
      'Normal Pulled: Successfully pulled image "nginx:1.25" in 2.1s (3.4s including waiting). Image size: 70542235 bytes.',
      'Normal Pulled: Container image "nginx:1.25" already present on machine',
      'Warning Failed: Failed to pull image "doesnotexist:1": rpc error: boom',
      'Warning Failed: Error: ErrImagePull',
      'Normal BackOff: Back-off pulling image "doesnotexist:1"',
      'Normal Created: Created container app',
      'Normal Started: Started container app',
      'Normal Killing: Stopping container app',
      'Normal Killing: Container app failed liveness probe, will be restarted',
      'Warning BackOff: Back-off restarting failed container app in pod web-7d4b8c6f5-x2p9k_default(3f0c2a)',
      'Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503',
    ]);
  });

  it('refer to the container by field path', () => {
    expect(podReference(pod, 'app').fieldPath).toBe('spec.containers{app}');
    expect(podReference(pod, 'init0').fieldPath).toBe('spec.initContainers{init0}');
    expect(podReference(pod).fieldPath).toBeUndefined();
  });

  it('become core/v1 Events from the kubelet on the node', () => {
    const ev = toCoreEvent(kubeletEvents.started(pod, 'app', 1500), 'node-1');
    expect(ev).toMatchObject({
      kind: 'Event',
      metadata: { namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-7d4b8c6f5-x2p9k', uid: '3f0c2a', fieldPath: 'spec.containers{app}' },
      reason: 'Started',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2024-04-17T00:00:01Z',
      count: 1,
      type: 'Normal',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    });
    expect(ev.metadata.name).toMatch(/^web-7d4b8c6f5-x2p9k\.[0-9a-f]+$/);
    expect(toCoreEvent(kubeletEvents.started(pod, 'app', 1500), 'node-1', 1).metadata.name).not.toBe(ev.metadata.name);
  });
});
