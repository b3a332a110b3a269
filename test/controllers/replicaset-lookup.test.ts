// The ReplicaSet controller's per-sync lookups, made cheap without changing what they return: the
// candidate pods (owned + orphans of the namespace, by name) come from merging two sorted index buckets,
// and the pod handlers compare labels and ControllerRefs field by field instead of through canonical JSON.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { canonicalJson } from '../../src/api/index.ts';
import {
  CONTROLLER_UID_INDEX, ORPHAN_INDEX_KEY, byControllerUid, emptyStore, listByIndex, metaNamespaceKey, storePut,
  type Indexers, type InformerState,
} from '../../src/client/index.ts';
import { sameFlat } from '../../machines/controller-manager/replicaset/flat-equal.ts';
import { candidatePods, type ReplicaSetView } from '../../machines/controller-manager/replicaset/lookup.ts';
import { numRuns } from '../fc.ts';

const indexers: Indexers<Pod> = { [CONTROLLER_UID_INDEX]: byControllerUid };

/** A pod name as the apiserver accepts them (a DNS subdomain), short so that prefixes collide. */
const podName = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,6}[a-z0-9])?$/);

const podSpec = fc.record({
  name: podName,
  namespace: fc.constantFrom('default', 'other'),
  owner: fc.constantFrom<string | undefined>('rs-1', 'rs-2', undefined),
});

function viewOf(pods: readonly { name: string; namespace: string; owner: string | undefined }[]): ReplicaSetView {
  let store = emptyStore<Pod>(indexers);
  for (const p of pods) {
    const pod: Pod = {
      metadata: {
        name: p.name, namespace: p.namespace, uid: `${p.namespace}/${p.name}`,
        ...(p.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: p.owner, uid: p.owner, controller: true }] } : {}),
      },
    };
    store = storePut(store, indexers, metaNamespaceKey(pod), pod);
  }
  return { pods: { store } as InformerState<Pod>, replicasets: undefined as never };
}

/** What candidatePods returned before: both buckets, filtered to the namespace, sorted by name. */
function candidatePodsByFilterAndSort(view: ReplicaSetView, rs: ReplicaSet): string[] {
  return [...listByIndex(view.pods, CONTROLLER_UID_INDEX, rs.metadata?.uid ?? ''), ...listByIndex(view.pods, CONTROLLER_UID_INDEX, ORPHAN_INDEX_KEY)]
    .filter((pod) => pod.metadata?.namespace === rs.metadata?.namespace)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .map((pod) => pod.metadata?.name ?? '');
}

describe('ReplicaSet candidate pods', () => {
  const rs: ReplicaSet = { metadata: { name: 'rs-1', namespace: 'default', uid: 'rs-1' } };

  it('are the owned pods and the orphans of its namespace, in name order', () => {
    const view = viewOf([
      { name: 'web-b', namespace: 'default', owner: 'rs-1' },
      { name: 'web-a', namespace: 'default', owner: undefined },
      { name: 'web-c', namespace: 'other', owner: undefined },
      { name: 'web-d', namespace: 'default', owner: 'rs-2' },
      { name: 'web-a.1', namespace: 'default', owner: 'rs-1' },
      { name: 'web-a-1', namespace: 'default', owner: 'rs-1' },
    ]);
    expect(candidatePods(view, rs).map((p) => p.metadata?.name)).toEqual(['web-a', 'web-a-1', 'web-a.1', 'web-b']);
  });

  it('equal the filtered and sorted lists of both index buckets for any pods', () => {
    fc.assert(fc.property(fc.uniqueArray(podSpec, { selector: (p) => `${p.namespace}/${p.name}`, maxLength: 30 }), (pods) => {
      const view = viewOf(pods);
      expect(candidatePods(view, rs).map((p) => p.metadata?.name)).toEqual(candidatePodsByFilterAndSort(view, rs));
    }), { numRuns: numRuns(200) });
  });
});

describe('sameFlat', () => {
  const value = fc.oneof(fc.constantFrom('a', 'b', ''), fc.boolean(), fc.constant(undefined), fc.integer({ min: 0, max: 2 }), fc.constant({ x: 1 }));
  const flat = fc.dictionary(fc.constantFrom('app', 'tier', 'uid', 'controller'), value, { maxKeys: 4 });

  it('decides as canonical JSON equality does', () => {
    fc.assert(fc.property(fc.option(flat, { nil: undefined }), fc.option(flat, { nil: undefined }), (a, b) => {
      expect(sameFlat(a, b)).toBe(canonicalJson(a ?? null) === canonicalJson(b ?? null));
      expect(sameFlat(a, a === undefined ? undefined : { ...a })).toBe(true);
    }), { numRuns: numRuns(500) });
  });

  it('tells a changed, added or removed label apart', () => {
    expect(sameFlat({ app: 'web', tier: 'fe' }, { tier: 'fe', app: 'web' })).toBe(true);
    expect(sameFlat({ app: 'web' }, { app: 'api' })).toBe(false);
    expect(sameFlat({ app: 'web' }, { app: 'web', tier: 'fe' })).toBe(false);
    expect(sameFlat({ app: 'web', tier: undefined }, { app: 'web' })).toBe(true);
    expect(sameFlat(undefined, { uid: 'u' })).toBe(false);
  });
});
