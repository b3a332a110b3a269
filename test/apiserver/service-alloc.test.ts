import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { etcdMemberMachine } from '../../machines/etcd-member/index.ts';
import { hostApiServer } from '../../src/apiserver/host.ts';
import type { ApiRequest, ApiResponseMessage } from '../../src/apiserver/protocol.ts';
import { formatIPv4, parseIPv4, pickFree, SERVICE_CLUSTER_IP_RANGE } from '../../src/apiserver/allocators/index.ts';
import { numRuns } from '../fc.ts';
import { ApiHarness, CLIENT, core, create, del, get, obj, patch, status } from './harness.ts';

/**
 * Service ClusterIP / NodePort allocation (src/apiserver/allocators): the addresses a Service gets, the
 * 422s for taken or out-of-range ones, release on delete, and consistency across apiserver restarts and
 * across two apiservers sharing one etcd.
 */
const SERVICES = core('services');
const MEMBERS = ['etcd-1', 'etcd-2', 'etcd-3'];

function service(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  };
}

function fake(seed = 1): ApiHarness {
  return new ApiHarness({ seed }).start();
}

function realEtcd(seed = 1): ApiHarness {
  const h = new ApiHarness({ seed, etcdMembers: MEMBERS, etcdClient: { attemptTimeoutMs: 500, requestTimeoutMs: 3_000 }, config: { requestTimeoutMs: 10_000 } });
  for (const m of MEMBERS) h.sim.add(m, etcdMemberMachine, { members: MEMBERS });
  return h.start();
}

/** Retries 5xx (etcd electing a leader at start), as client-go does. */
function callOk(h: ApiHarness, request: ApiRequest, to = 'apiserver-0'): ApiResponseMessage {
  let last: ApiResponseMessage | undefined;
  for (let i = 0; i < 20; i++) {
    last = sendTo(h, to, request);
    if (last.code < 500) return last;
    h.run(500);
  }
  return last!;
}

let seq = 0;
function sendTo(h: ApiHarness, to: string, request: ApiRequest): ApiResponseMessage {
  const id = `t${seq++}`;
  h.sim.bus.send(CLIENT, to, { type: 'api.request', from: CLIENT, requestId: id, request });
  return h.await(id);
}

const ipIndex = (ip: string) => parseIPv4(ip)! - SERVICE_CLUSTER_IP_RANGE.base;

describe('ClusterIP allocation', () => {
  it('gives a ClusterIP Service one address from the upper band of 10.96.0.0/12, single-stack IPv4', () => {
    const h = realEtcd();
    const created = callOk(h, create(SERVICES, 'default', service('web')));
    expect(created.code).toBe(201);
    const spec = obj(created).spec;
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(spec.ipFamilies).toEqual(['IPv4']);
    expect(spec.ipFamilyPolicy).toBe('SingleStack');
    expect(spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    // Dynamic allocation leaves the lower band (the first 256 addresses) to clients that ask for one.
    expect(ipIndex(spec.clusterIP)).toBeGreaterThanOrEqual(256);
    expect(obj(callOk(h, get(SERVICES, 'default', 'web'))).spec.clusterIP).toBe(spec.clusterIP);
  });

  it('honours a requested address and refuses it to the next Service with the upstream 422', () => {
    const h = realEtcd();
    expect(obj(callOk(h, create(SERVICES, 'default', service('a', { clusterIP: '10.96.0.5' })))).spec.clusterIPs).toEqual(['10.96.0.5']);
    const second = callOk(h, create(SERVICES, 'default', service('b', { clusterIP: '10.96.0.5' })));
    expect(second.code).toBe(422);
    expect(status(second).reason).toBe('Invalid');
    expect(status(second).message).toBe(
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated',
    );
    expect(status(second).details?.causes).toEqual([{
      reason: 'FieldValueInvalid', field: 'spec.clusterIPs',
      message: 'Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated',
    }]);
  });

  it('answers 422 for an address outside the range, the network or broadcast address, or not an IP', () => {
    const h = fake();
    const outside = h.call(create(SERVICES, 'default', service('a', { clusterIP: '10.200.0.5' })));
    expect(outside.code).toBe(422);
    expect(status(outside).message).toBe(
      'Service "a" is invalid: spec.clusterIPs: Invalid value: []string{"10.200.0.5"}: failed to allocate IP 10.200.0.5: the provided IP (10.200.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    for (const edge of ['10.96.0.0', '10.111.255.255']) expect(h.call(create(SERVICES, 'default', service('b', { clusterIP: edge }))).code).toBe(422);
    const garbage = h.call(create(SERVICES, 'default', service('c', { clusterIP: 'ten.0.0.1' })));
    expect(status(garbage).message).toBe(
      'Service "c" is invalid: spec.clusterIPs[0]: Invalid value: "ten.0.0.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    );
    const mismatch = h.call(create(SERVICES, 'default', service('d', { clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.8'] })));
    expect(status(mismatch).message).toContain('spec.clusterIPs: Invalid value: []string{"10.96.0.8"}: first value must match `clusterIP`');
    const v6 = h.call(create(SERVICES, 'default', service('e', { ipFamilies: ['IPv6'] })));
    expect(status(v6).message).toContain('spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
  });

  it('allocates nothing for a headless Service or an ExternalName Service', () => {
    const h = fake();
    const headless = obj(h.call(create(SERVICES, 'default', service('db', { clusterIP: 'None' })))).spec;
    expect(headless.clusterIP).toBe('None');
    expect(headless.clusterIPs).toEqual(['None']);
    const external = h.call(create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } }));
    expect(external.code).toBe(201);
    expect(obj(external).spec.clusterIP).toBeUndefined();
  });

  it('releases the address when the Service is deleted', () => {
    const h = realEtcd();
    expect(callOk(h, create(SERVICES, 'default', service('a', { clusterIP: '10.96.0.9' }))).code).toBe(201);
    expect(callOk(h, create(SERVICES, 'default', service('b', { clusterIP: '10.96.0.9' }))).code).toBe(422);
    expect(callOk(h, del(SERVICES, 'default', 'a')).code).toBe(200);
    expect(obj(callOk(h, create(SERVICES, 'default', service('b', { clusterIP: '10.96.0.9' })))).spec.clusterIP).toBe('10.96.0.9');
  });

  it('allocates nothing on a dry run', () => {
    const h = fake();
    const dry = h.call(create(SERVICES, 'default', service('a', { clusterIP: '10.96.0.10' }), { query: { dryRun: 'All' } }));
    expect(dry.code).toBe(201);
    expect(obj(dry).spec.clusterIP).toBe('10.96.0.10');
    expect(h.call(create(SERVICES, 'default', service('a', { clusterIP: '10.96.0.10' }))).code).toBe(201);
  });

  it('remembers allocations across an apiserver restart (they live in etcd)', () => {
    const h = realEtcd();
    const ip = obj(callOk(h, create(SERVICES, 'default', service('a')))).spec.clusterIP;
    h.sim.crash('apiserver-0');
    h.sim.restart('apiserver-0');
    h.awaitServing();
    const again = callOk(h, create(SERVICES, 'default', service('b', { clusterIP: ip })));
    expect(again.code).toBe(422);
    expect(status(again).message).toContain('provided IP is already allocated');
  });
});

describe('NodePort allocation', () => {
  it('gives each port of a NodePort Service a node port from 30000-32767, upper band first', () => {
    const h = realEtcd();
    const created = callOk(h, create(SERVICES, 'default', service('np', {
      type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }],
    })));
    expect(created.code).toBe(201);
    const ports = obj(created).spec.ports.map((p: { nodePort: number }) => p.nodePort);
    expect(new Set(ports).size).toBe(2);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(30000 + 86);
      expect(p).toBeLessThanOrEqual(32767);
    }
    expect(obj(created).spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('refuses a node port already held, or outside the range, with the upstream 422', () => {
    const h = fake();
    expect(h.call(create(SERVICES, 'default', service('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).code).toBe(201);
    const taken = h.call(create(SERVICES, 'default', service('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })));
    expect(taken.code).toBe(422);
    expect(status(taken).message).toBe('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const outside = h.call(create(SERVICES, 'default', service('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 29999 }] })));
    expect(status(outside).message).toBe(
      'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    // A failed create took nothing: its cluster IP and ports are free for the next Service.
    expect(h.call(create(SERVICES, 'default', service('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] }))).code).toBe(201);
  });

  it('shares one node port between TCP and UDP on the same service port; health-check port for Local LoadBalancers', () => {
    const h = fake();
    const dns = obj(h.call(create(SERVICES, 'default', service('dns', {
      type: 'NodePort', ports: [{ name: 'udp', port: 53, protocol: 'UDP' }, { name: 'tcp', port: 53, protocol: 'TCP' }],
    })))).spec;
    expect(dns.ports[0].nodePort).toBe(dns.ports[1].nodePort);
    const lb = obj(h.call(create(SERVICES, 'default', service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' })))).spec;
    expect(lb.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    expect(lb.healthCheckNodePort).not.toBe(lb.ports[0].nodePort);
  });
});

describe('allocation across two apiservers on one etcd', () => {
  function twoApiservers(seed: number): ApiHarness {
    const h = realEtcd(seed);
    hostApiServer(h.sim, 'apiserver-1', { etcdMembers: MEMBERS, etcdClient: { attemptTimeoutMs: 500, requestTimeoutMs: 3_000 }, config: { requestTimeoutMs: 10_000 } });
    // Until both serve and etcd's first elections have settled (a write attempt cut short by one is a 504).
    h.sim.runUntilTrue(() => h.sim.host('apiserver-1').snapshot()?.matches('serving') ?? false, 30_000);
    h.run(5_000);
    return h;
  }

  it('never hands out one address twice when creates race through both', () => {
    const h = twoApiservers(3);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = `race-${i}`;
      // Half ask for the same address at the same time; the rest take any.
      const spec = i % 2 === 0 ? { clusterIP: '10.96.0.20', type: 'NodePort', ports: [{ port: 80, nodePort: 30100 }] } : {};
      h.sim.bus.send(CLIENT, `apiserver-${i % 2}`, { type: 'api.request', from: CLIENT, requestId: id, request: create(SERVICES, 'default', service(`s${i}`, spec)) });
      ids.push(id);
    }
    h.sim.runUntilTrue(() => ids.every((id) => h.responses.has(id)), 60_000);
    const codes = ids.map((id) => h.responses.get(id)!.code);
    expect(codes.filter((c, i) => i % 2 === 0 && c === 201)).toHaveLength(1);
    expect(codes.filter((c, i) => i % 2 === 0 && c === 422)).toHaveLength(5);
    expect(codes.filter((c, i) => i % 2 === 1)).toEqual([201, 201, 201, 201, 201, 201]);
    const items = obj(callOk(h, { verb: 'list', ...SERVICES, namespace: 'default' })).items as { spec: { clusterIP: string } }[];
    const ips = items.map((s) => s.spec.clusterIP).filter((ip) => ip !== '10.96.0.1');
    expect(new Set(ips).size).toBe(ips.length);
  });

  it('property: whatever creates and deletes go to either apiserver, live Services never share an address', () => {
    const op = fc.record({
      apiserver: fc.integer({ min: 0, max: 1 }),
      name: fc.constantFrom('a', 'b', 'c', 'd'),
      action: fc.constantFrom('create', 'create', 'delete'),
      // A small pool of requested addresses so collisions are frequent; undefined = allocate one.
      ip: fc.option(fc.constantFrom('10.96.0.30', '10.96.0.31'), { nil: undefined }),
      nodePort: fc.option(fc.constantFrom(30200, 30201), { nil: undefined }),
    });
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000 }), fc.array(op, { minLength: 1, maxLength: 10 }), (seed, ops) => {
      const h = twoApiservers(seed);
      const ids = ops.map((o, i) => {
        const id = `p${i}`;
        const spec = { type: 'NodePort', ...(o.ip ? { clusterIP: o.ip } : {}), ports: [{ port: 80, ...(o.nodePort ? { nodePort: o.nodePort } : {}) }] };
        const request = o.action === 'create' ? create(SERVICES, 'default', service(o.name, spec)) : del(SERVICES, 'default', o.name);
        h.sim.bus.send(CLIENT, `apiserver-${o.apiserver}`, { type: 'api.request', from: CLIENT, requestId: id, request });
        h.run(3);
        return id;
      });
      h.sim.runUntilTrue(() => ids.every((id) => h.responses.has(id)), 60_000);
      const items = obj(callOk(h, { verb: 'list', ...SERVICES, namespace: 'default' })).items as { spec: { clusterIP: string; ports: { nodePort?: number }[] } }[];
      const ips = items.map((s) => s.spec.clusterIP);
      const ports = items.flatMap((s) => s.spec.ports.map((p) => p.nodePort).filter((p) => p !== undefined));
      expect(new Set(ips).size).toBe(ips.length);
      expect(new Set(ports).size).toBe(ports.length);
    }), { numRuns: numRuns(4) });
  });
});

describe('pickFree (randomScanStrategyWithOffset)', () => {
  it('takes the upper band first, then the lower band, then gives up', () => {
    const taken = new Set<number>();
    const draws = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    for (let i = 0; i < 6; i++) {
      const at = pickFree((x) => taken.has(x), 6, 2, () => draws[i])!;
      expect(at).toBeDefined();
      taken.add(at);
    }
    expect([...taken].slice(0, 4).every((x) => x >= 2)).toBe(true);
    expect([...taken].slice(4).sort()).toEqual([0, 1]);
    expect(pickFree((x) => taken.has(x), 6, 2, () => 0.3)).toBeUndefined();
    expect(formatIPv4(SERVICE_CLUSTER_IP_RANGE.base)).toBe('10.96.0.1');
  });
});

describe('allocation on update', () => {
  it('gives node ports to a Service whose type changes to NodePort, refusing a taken one', () => {
    const h = fake();
    expect(h.call(create(SERVICES, 'default', service('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30500 }] }))).code).toBe(201);
    expect(h.call(create(SERVICES, 'default', service('web'))).code).toBe(201);
    const patched = h.call(patch(SERVICES, 'default', 'web', 'application/merge-patch+json', { spec: { type: 'NodePort' } }));
    expect(patched.code).toBe(200);
    const nodePort = obj(patched).spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).not.toBe(30500);
    // Keeping its own port is fine; taking another Service's is not.
    expect(h.call(patch(SERVICES, 'default', 'web', 'application/merge-patch+json', { metadata: { labels: { x: 'y' } } })).code).toBe(200);
    const taken = h.call(patch(SERVICES, 'default', 'web', 'application/json-patch+json', [{ op: 'replace', path: '/spec/ports/0/nodePort', value: 30500 }]));
    expect(taken.code).toBe(422);
    expect(status(taken).message).toBe('Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30500: provided port is already allocated');
  });

  it('gives a cluster IP to an ExternalName Service turned into a ClusterIP one', () => {
    const h = fake();
    expect(h.call(create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } })).code).toBe(201);
    const changed = h.call(patch(SERVICES, 'default', 'ext', 'application/merge-patch+json', { spec: { type: 'ClusterIP', externalName: null, ports: [{ port: 80 }] } }));
    expect(changed.code).toBe(200);
    expect(obj(changed).spec.clusterIPs).toEqual([obj(changed).spec.clusterIP]);
    expect(ipIndex(obj(changed).spec.clusterIP)).toBeGreaterThanOrEqual(256);
  });
});
