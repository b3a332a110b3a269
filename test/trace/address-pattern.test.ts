import { describe, expect, it } from 'vitest';
import { globToRegExp, nameMatcher, parsePatternList } from '../../src/trace/address-pattern.ts';

describe('address and type patterns', () => {
  it('matches names, globs and comma lists; dots and slashes are literal', () => {
    const match = nameMatcher('etcd-2, node-*/kubelet,raft.*');
    expect(['etcd-2', 'node-1/kubelet', 'node-12/kubelet', 'raft.append'].every(match)).toBe(true);
    expect(['etcd-20', 'node-1/proxy', 'raftXappend', 'etcd-1'].some(match)).toBe(false);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(parsePatternList(' a, ,b ')).toEqual(['a', 'b']);
    expect(nameMatcher('')('anything')).toBe(false);
  });
});
