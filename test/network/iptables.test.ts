import { describe, expect, it } from 'vitest';
import { newNetfilterState, tokenize, walkIptables, type Packet } from '../../src/network/iptables.ts';

/** The netfilter walk over upstream's own example ruleset (pkg/proxy/iptables/proxier_test.go). */
const NAT = [
  '*nat',
  ':KUBE-SERVICES - [0:0]', ':KUBE-NODEPORTS - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-MARK-MASQ - [0:0]',
  ':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]', ':KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]', ':KUBE-SEP-OTHER - [0:0]',
  '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
  '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.20.30.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
  '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 10.20.30.41 --dport 80 ! -s 10.0.0.0/24 -j KUBE-MARK-MASQ',
  '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment ns1/svc1:p80 -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-SXIVWICOYRO3J4NJ',
  '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment ns1/svc1:p80 -j KUBE-SEP-OTHER',
  '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ',
  '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
  '-A KUBE-SEP-OTHER -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80',
  '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  'COMMIT',
];
const FILTER = [
  '*filter', ':KUBE-SERVICES - [0:0]',
  '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 has no endpoints" -m tcp -p tcp -d 10.20.30.42 --dport 80 -j REJECT',
  'COMMIT',
];

const packet = (dst: string, dport = 80): Packet => ({ src: '10.0.0.5', dst, dport, protocol: 'TCP' });
const ctx = (draw: number) => ({ localAddresses: new Set(['192.168.0.2']), random: () => draw, now: 0, state: newNetfilterState() });

describe('netfilter walk', () => {
  it('tokenizes quoted comments as one word', () => {
    expect(tokenize('-A X -m comment --comment "a b c" -j Y')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a b c', '-j', 'Y']);
  });

  it('follows KUBE-SERVICES → KUBE-SVC → KUBE-SEP, the statistic draw choosing the endpoint', () => {
    const tables = { nat: NAT, filter: FILTER };
    expect(walkIptables(tables, packet('10.20.30.41'), 'pod', ctx(0.2))).toEqual({
      kind: 'dnat', to: '10.180.0.1:80', chains: ['PREROUTING', 'KUBE-SERVICES', 'KUBE-SVC-XPGD46QRK7WJZT7O', 'KUBE-SEP-SXIVWICOYRO3J4NJ'],
    });
    // From outside the pod network the connection is marked for masquerading on the way.
    expect(walkIptables(tables, { ...packet('10.20.30.41'), src: '192.168.9.9' }, 'pod', ctx(0.2)).chains).toContain('KUBE-MARK-MASQ');
    expect(walkIptables(tables, packet('10.20.30.41'), 'host', ctx(0.7))).toMatchObject({ kind: 'dnat', to: '10.180.0.2:80' });
  });

  it('REJECTs in the filter table what no nat rule translated; lets anything else through', () => {
    const tables = { nat: NAT, filter: FILTER };
    expect(walkIptables(tables, packet('10.20.30.42'), 'pod', ctx(0))).toMatchObject({ kind: 'reject', comment: 'ns2/svc2:p80 has no endpoints' });
    expect(walkIptables(tables, packet('10.20.30.41', 81), 'pod', ctx(0))).toMatchObject({ kind: 'accept' });
  });

  it('refuses to guess a match it does not model', () => {
    const tables = { nat: ['*nat', '-A PREROUTING -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT', 'COMMIT'], filter: [] };
    expect(() => walkIptables(tables, packet('10.0.0.1'), 'pod', ctx(0))).toThrow(/unsupported match "--match-set"/);
  });
});
