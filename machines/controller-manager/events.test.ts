import { describe, expect, it } from 'vitest';
import type { ApiRequestMessage } from '../../src/apiserver/protocol.ts';
import { newRecorder, recordEvent, type EventSpec } from './events.ts';

const target = { apiserver: 'apiserver-0', idPrefix: 'kcm-0#0', user: { username: 'system:kube-controller-manager', groups: [] } };
const spec: EventSpec = {
  type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled up replica set web-7d4b8c6f5 from 0 to 3', component: 'deployment-controller',
  involvedObject: { kind: 'Deployment', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'apps/v1' },
};

describe('event recorder', () => {
  it('creates a core/v1 Event with source, timestamps and count 1', () => {
    const { sends } = recordEvent(newRecorder(), spec, 5_000, target);
    const message = sends[0].message as ApiRequestMessage;
    expect(message.request).toMatchObject({ verb: 'create', resource: 'events', namespace: 'default' });
    expect(message.request.body).toMatchObject({
      apiVersion: 'v1', kind: 'Event', metadata: { namespace: 'default' }, involvedObject: spec.involvedObject,
      reason: 'ScalingReplicaSet', message: spec.message, type: 'Normal', count: 1,
      source: { component: 'deployment-controller' }, firstTimestamp: '2024-04-17T00:00:05Z', lastTimestamp: '2024-04-17T00:00:05Z',
    });
    expect((message.request.body as { metadata: { name: string } }).metadata.name).toMatch(/^web\.[0-9a-f]+$/);
  });

  it('folds an identical repeat into the first event with a merge patch of count and lastTimestamp', () => {
    const first = recordEvent(newRecorder(), spec, 5_000, target);
    const name = ((first.sends[0].message as ApiRequestMessage).request.body as { metadata: { name: string } }).metadata.name;
    const second = recordEvent(first.state, spec, 9_000, target);
    expect((second.sends[0].message as ApiRequestMessage).request).toMatchObject({
      verb: 'patch', name, patchType: 'application/merge-patch+json', body: { count: 2, lastTimestamp: '2024-04-17T00:00:09Z' },
    });
    const other = recordEvent(second.state, { ...spec, message: 'Scaled up replica set web-7d4b8c6f5 from 3 to 4' }, 9_000, target);
    expect((other.sends[0].message as ApiRequestMessage).request.verb).toBe('create');
  });
});
