import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { resolveConfig } from '../config.ts';
import { newPlanner } from './planner.ts';
import { scale } from './scaling.ts';
import {
  equalIgnoreHash, findActiveOrLatest, maxSurge, maxUnavailable, newRSNewReplicas, resolveFenceposts, setNewReplicaSetAnnotations,
} from './util.ts';
import { newCondition, setCondition } from './conditions.ts';

const deployment = (replicas: number, surge: number | string, unavailable: number | string, annotations: Record<string, string> = {}): Deployment => ({
  metadata: { name: 'web', namespace: 'default', uid: 'd1', annotations },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
  },
});
const rs = (name: string, replicas: number, created: string, annotations: Record<string, string> = {}): ReplicaSet => ({
  metadata: { name, namespace: 'default', uid: name, creationTimestamp: created, annotations },
  spec: { replicas, selector: { matchLabels: { app: 'web' } } },
});

describe('maxSurge / maxUnavailable', () => {
  it('rounds a percentage of surge up and of unavailable down', () => {
    expect(resolveFenceposts('25%', '25%', 3)).toEqual([1, 0]);
    expect(resolveFenceposts('25%', '25%', 4)).toEqual([1, 1]);
    expect(resolveFenceposts('30%', '30%', 10)).toEqual([3, 3]);
    expect(resolveFenceposts(2, 0, 4)).toEqual([2, 0]);
  });

  it('makes maxUnavailable 1 when both resolve to zero, and caps it at replicas', () => {
    expect(resolveFenceposts('10%', '10%', 0)).toEqual([0, 1]);
    expect(resolveFenceposts(0, '20%', 4)).toEqual([0, 1]);
    expect(maxUnavailable(deployment(2, 0, 5))).toBe(2);
    expect(maxSurge({ ...deployment(2, 3, 0), spec: { ...deployment(2, 3, 0).spec!, strategy: { type: 'Recreate' } } })).toBe(0);
  });

  it('rejects a string that is not a percentage', () => {
    expect(() => resolveFenceposts('3', 0, 4)).toThrow('invalid value for IntOrString: invalid type: string is not a percentage');
  });
});

describe('replica set arithmetic', () => {
  it('grows the new ReplicaSet only up to replicas + maxSurge in total', () => {
    const d = deployment(4, 1, 1);
    expect(newRSNewReplicas(d, [rs('old', 4, 't'), rs('new', 0, 't')], rs('new', 0, 't'))).toBe(1);
    expect(newRSNewReplicas(d, [rs('old', 2, 't'), rs('new', 1, 't')], rs('new', 1, 't'))).toBe(3);
    expect(newRSNewReplicas(d, [rs('old', 4, 't'), rs('new', 1, 't')], rs('new', 1, 't'))).toBe(1);
  });

  it('spreads a scale-up over active ReplicaSets in proportion, leftovers to the largest', () => {
    const d = deployment(15, 3, 0);
    const max = { 'deployment.kubernetes.io/max-replicas': '13' };
    const a = rs('a', 6, '2024-04-17T00:00:00Z', max);
    const b = rs('b', 4, '2024-04-17T00:00:01Z', max);
    const p = newPlanner(0, resolveConfig({ apiserver: 'apiserver-0' }));
    scale(p, d, b, [a]);
    const sizes = p.steps.map((s) => {
      const body = s.calls[0].request.body as ReplicaSet;
      return [body.metadata?.name, body.spec?.replicas, body.metadata?.annotations?.['deployment.kubernetes.io/max-replicas']];
    });
    // a: round(6·18/13) = 8 → +2, b: round(4·18/13) = 6 → +2; the 4 left over go to a.
    expect(sizes).toEqual([['a', 12, '18'], ['b', 6, '18']]);
  });

  it('finds the only active ReplicaSet, or the newest when none is active', () => {
    const old = rs('old', 0, '2024-04-17T00:00:00Z');
    const newer = rs('newer', 0, '2024-04-17T00:00:05Z');
    expect(findActiveOrLatest(undefined, [old, newer])?.metadata?.name).toBe('newer');
    expect(findActiveOrLatest(rs('new', 2, 't'), [old])?.metadata?.name).toBe('new');
    expect(findActiveOrLatest(rs('new', 2, 't'), [rs('x', 1, 't')])).toBeUndefined();
  });
});

describe('templates and annotations', () => {
  it('compares templates ignoring the pod-template-hash label and empty collections', () => {
    const t = deployment(1, 1, 0).spec!.template;
    const withHash = { ...t, metadata: { labels: { ...t.metadata?.labels, 'pod-template-hash': 'abc' } } };
    expect(equalIgnoreHash(t, withHash)).toBe(true);
    expect(equalIgnoreHash(t, { ...t, spec: { ...t.spec!, volumes: [], nodeSelector: {} } })).toBe(true);
    expect(equalIgnoreHash(t, { ...t, spec: { containers: [{ name: 'app', image: 'other' }] } })).toBe(false);
    // What `kubectl rollout undo` writes back: the template with a null creationTimestamp (Go's zero Time).
    const undone = { ...t, metadata: { ...t.metadata, creationTimestamp: null as unknown as string } };
    expect(equalIgnoreHash(withHash, undone)).toBe(true);
  });

  it('moves a reused ReplicaSet to the new revision and keeps the old one in revision-history', () => {
    const d = deployment(3, 1, 0, { team: 'blue', 'deployment.kubernetes.io/revision': '2' });
    const reused = rs('web-v1', 0, 't', { 'deployment.kubernetes.io/revision': '1' });
    expect(setNewReplicaSetAnnotations(d, reused, '3', true)).toBe(true);
    expect(reused.metadata?.annotations).toEqual({ team: 'blue', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    setNewReplicaSetAnnotations(d, reused, '5', true);
    expect(reused.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1,3');
    const fresh = rs('web-v4', 0, 't');
    setNewReplicaSetAnnotations(d, fresh, '4', false);
    expect(fresh.metadata?.annotations).toEqual({
      team: 'blue', 'deployment.kubernetes.io/revision': '4',
      'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
  });

  it('keeps a condition untouched for the same status and reason, and its transition time for the same status', () => {
    const first = setCondition({}, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a', 0));
    expect(setCondition(first, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'b', 9_000))).toBe(first);
    const next = setCondition(first, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'c', 9_000));
    expect(next.conditions).toEqual([{
      type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'c',
      lastUpdateTime: '2024-04-17T00:00:09Z', lastTransitionTime: '2024-04-17T00:00:00Z',
    }]);
  });
});
