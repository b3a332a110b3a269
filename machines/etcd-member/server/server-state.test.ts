import { describe, expect, test } from 'vitest';
import { RecentIds } from './server-state.ts';

describe('RecentIds', () => {
  test('remembers at least the last `window` ids added, and forgets old ones', () => {
    const ids = new RecentIds(4);
    for (let i = 0; i < 20; i++) {
      ids.add(`r${i}`);
      for (let j = Math.max(0, i - 3); j <= i; j++) expect(ids.has(`r${j}`)).toBe(true);
    }
    expect(ids.has('r0')).toBe(false);
    expect(ids.has('r10')).toBe(false);
    expect(ids.has('never')).toBe(false);
  });

  test('adding an id it already has keeps it', () => {
    const ids = new RecentIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('a');
    ids.add('c');
    expect(ids.has('a')).toBe(true);
  });
});
