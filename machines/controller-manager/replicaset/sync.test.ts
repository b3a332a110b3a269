import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { podFromTemplate, slowStartBatches } from './sync.ts';

describe('replicaset sync helpers', () => {
  it('splits creations into slow-start batches 1, 2, 4, … with the remainder last', () => {
    expect(slowStartBatches(0)).toEqual([]);
    expect(slowStartBatches(1)).toEqual([1]);
    expect(slowStartBatches(7)).toEqual([1, 2, 4]);
    expect(slowStartBatches(10)).toEqual([1, 2, 4, 3]);
  });

  it('builds a pod from the template with generateName "<rs>-" and the controller reference', () => {
    const rs: ReplicaSet = {
      metadata: { name: 'web-7d4b8c6f5', namespace: 'prod', uid: 'u1' },
      spec: {
        selector: {},
        template: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
      },
    };
    expect(podFromTemplate(rs)).toEqual({
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: 'web-7d4b8c6f5-', namespace: 'prod', labels: { app: 'web' }, annotations: { a: 'b' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b8c6f5', uid: 'u1', controller: true, blockOwnerDeletion: true }],
      },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    });
  });
});
