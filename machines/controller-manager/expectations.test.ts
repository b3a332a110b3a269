import { describe, expect, it } from 'vitest';
import {
  creationObserved, deleteExpectations, deletionObserved, expectCreations, expectDeletions, satisfiedExpectations,
} from './expectations.ts';

const TTL = 300_000;

describe('controller expectations', () => {
  it('are satisfied when none are recorded, once every add is observed, or after the TTL', () => {
    let e = expectCreations({}, 'ns/rs', 2, 0);
    expect(satisfiedExpectations({}, 'ns/rs', 0, TTL)).toBe(true);
    expect(satisfiedExpectations(e, 'ns/rs', 10, TTL)).toBe(false);
    e = creationObserved(e, 'ns/rs');
    expect(satisfiedExpectations(e, 'ns/rs', 10, TTL)).toBe(false);
    expect(satisfiedExpectations(creationObserved(e, 'ns/rs'), 'ns/rs', 10, TTL)).toBe(true);
    expect(satisfiedExpectations(e, 'ns/rs', TTL + 1, TTL)).toBe(true);
  });

  it('count a deletion only for a pod whose deletion was expected, and only once', () => {
    let e = expectDeletions({}, 'ns/rs', ['ns/a', 'ns/b'], 0);
    e = deletionObserved(e, 'ns/rs', 'ns/other');
    e = deletionObserved(e, 'ns/rs', 'ns/a');
    e = deletionObserved(e, 'ns/rs', 'ns/a');
    expect(e['ns/rs']).toMatchObject({ del: 1, deleteKeys: ['ns/b'] });
    expect(satisfiedExpectations(deletionObserved(e, 'ns/rs', 'ns/b'), 'ns/rs', 1, TTL)).toBe(true);
  });

  it('are replaced, not added to, by a new expectation; and dropped with their ReplicaSet', () => {
    const e = expectCreations(expectCreations({}, 'k', 3, 0), 'k', 1, 5);
    expect(e.k).toMatchObject({ add: 1, timestamp: 5 });
    expect(deleteExpectations(e, 'k')).toEqual({});
    expect(creationObserved({}, 'k')).toEqual({});
  });
});
