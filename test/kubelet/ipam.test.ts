import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocateIP, gatewayIP, newIpam, podIP, releaseIP } from '../../src/kubelet/ipam.ts';
import type { IpamState } from '../../src/kubelet/ipam.ts';
import { numRuns } from '../fc.ts';

function allocate(state: IpamState, uid: string): [IpamState, string] {
  const r = allocateIP(state, uid);
  if (!r.ok) throw new Error(r.error);
  return [r.state, r.ip];
}

describe('pod IPAM', () => {
  it('skips the network and gateway addresses and goes round-robin after the last reserved, as host-local does', () => {
    let s = newIpam('10.244.1.0/24');
    expect(gatewayIP(s)).toBe('10.244.1.1');
    let ip: string;
    [s, ip] = allocate(s, 'a');
    expect(ip).toBe('10.244.1.2');
    [s, ip] = allocate(s, 'b');
    expect(ip).toBe('10.244.1.3');
    [s, ip] = allocate(s, 'a');
    expect(ip).toBe('10.244.1.2'); // a retried CNI ADD gets the same address
    s = releaseIP(s, 'a');
    expect(podIP(s, 'a')).toBeUndefined();
    [s, ip] = allocate(s, 'c');
    expect(ip).toBe('10.244.1.4'); // not a's released address: a stale rule to it must not reach c
    let small = newIpam('10.244.9.0/29'); // .2–.6 usable
    for (const uid of ['p', 'q', 'r', 's', 't']) [small] = allocate(small, uid);
    small = releaseIP(releaseIP(small, 'q'), 's');
    [small, ip] = allocate(small, 'u');
    expect(ip).toBe('10.244.9.3'); // wrapped past .6 to the first free one
    [small, ip] = allocate(small, 'v');
    expect(ip).toBe('10.244.9.5');
  });

  it('fails like host-local when the range is exhausted (never the broadcast address)', () => {
    let s = newIpam('10.244.7.0/30'); // .0 network, .1 gateway, .2 usable, .3 broadcast
    [s] = allocate(s, 'a');
    const r = allocateIP(s, 'b');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toBe('failed to allocate for range 0: no IP addresses available in range set: 10.244.7.1-10.244.7.2');
    expect(() => newIpam('10.244.0.0')).toThrow(/invalid pod CIDR/);
  });

  it('never hands out an address twice, whatever the order of allocations and releases', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 })), { maxLength: 80 }), (ops) => {
        let s = newIpam('10.244.2.0/28'); // 13 usable addresses for up to 21 pods
        for (const [alloc, n] of ops) {
          if (alloc) s = allocateIP(s, `pod-${n}`).state;
          else s = releaseIP(s, `pod-${n}`);
          const owners = Object.values(s.allocated);
          expect(new Set(owners).size).toBe(owners.length);
          for (const ip of Object.keys(s.allocated)) expect(['10.244.2.0', '10.244.2.1', '10.244.2.15']).not.toContain(ip);
        }
      }),
      { numRuns: numRuns(100) },
    );
  });
});
