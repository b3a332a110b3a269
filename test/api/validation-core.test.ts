import { describe, expect, it } from 'vitest';
import type { ConfigMap, Endpoints, Event, Namespace, Node, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Event as EventV1 } from 'kubernetes-types/events/v1.js';
import { applyDefaults, defaultForCreate } from '../../src/api/defaults.ts';
import { UnsupportedKindError, causeToString, validate, type Cause } from '../../src/api/validation.ts';

const messages = (causes: readonly Cause[]) => causes.map(causeToString);

function service(mutate: (s: Service) => void = () => {}): Service {
  const s: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  };
  mutate(s);
  return defaultForCreate(s);
}

describe('Service validation', () => {
  it('accepts a defaulted service', () => {
    expect(validate(service())).toEqual([]);
  });

  it('requires ports unless headless or ExternalName', () => {
    expect(messages(validate(service((s) => (s.spec!.ports = []))))).toEqual(['spec.ports: Required value']);
    expect(validate(service((s) => ((s.spec!.ports = []), (s.spec!.clusterIP = 'None'))))).toEqual([]);
  });

  it('checks port ranges, names and duplicates', () => {
    const s = service((x) => (x.spec!.ports = [{ port: 0, name: 'http' }, { port: 80, name: 'http' }, { port: 80, name: 'x', targetPort: 'not_a_port' }]));
    expect(messages(validate(s))).toEqual([
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[1].name: Duplicate value: "http"',
      'spec.ports[2].targetPort: Invalid value: "not_a_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ports[2]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
    const unnamed = service((x) => (x.spec!.ports = [{ port: 80 }, { port: 81 }]));
    expect(messages(validate(unnamed))).toEqual(['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  });

  it('uses DNS-1035 names and rejects bad types', () => {
    const out = messages(validate(service((s) => (s.metadata!.name = '1web'))));
    expect(out).toEqual([
      `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
    const raw: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'd' }, spec: { type: 'Magic', sessionAffinity: 'Sticky', ports: [{ port: 1, protocol: 'TCP', targetPort: 1 }] } };
    expect(messages(validate(raw))).toEqual([
      'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
  });

  it('validates NodePort, LoadBalancer and ExternalName specifics', () => {
    const nodePortOnClusterIP = service((s) => (s.spec!.ports = [{ port: 80, nodePort: 30080 }]));
    expect(messages(validate(nodePortOnClusterIP))).toEqual(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    const lb = service((s) => ((s.spec!.type = 'LoadBalancer'), (s.spec!.ports = [{ port: 10250 }])));
    expect(messages(validate(lb))).toEqual(['spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet']);
    const ext = service((s) => ((s.spec!.type = 'ExternalName'), (s.spec!.externalName = 'Bad_Name.example.com')));
    expect(messages(validate(ext))[0]).toMatch(/^spec\.externalName: Invalid value: "Bad_Name\.example\.com": a lowercase RFC 1123 subdomain/);
    expect(validate(service((s) => ((s.spec!.type = 'ExternalName'), (s.spec!.externalName = 'db.example.com.'))))).toEqual([]);
  });
});

describe('Namespace, ConfigMap, Secret, Node', () => {
  it('Namespace names are DNS labels; namespaces take no namespace', () => {
    const ns = (name: string, namespace?: string) => defaultForCreate<Namespace>({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, namespace } });
    expect(validate(ns('team-a'))).toEqual([]);
    expect(messages(validate(ns('team.a')))).toEqual(['metadata.name: Invalid value: "team.a": must not contain dots']);
    expect(messages(validate(ns('a', 'b')))).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
    const badFinalizer = { ...ns('x'), spec: { finalizers: ['custom'] } };
    expect(messages(validate(badFinalizer))).toEqual(['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']);
  });

  it('ConfigMap keys and size', () => {
    const cm = (data: Record<string, string>, binaryData?: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data, binaryData });
    expect(validate(cm({ 'app.conf': 'x' }))).toEqual([]);
    expect(messages(validate(cm({ 'a b': 'x', '..x': 'y' })))).toEqual([
      `data[..x]: Invalid value: "..x": must not start with '..'`,
      `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
    expect(messages(validate(cm({ k: 'x' }, { k: 'eA==' })))).toEqual(['data[k]: Invalid value: "k": duplicate of key present in binaryData']);
    expect(messages(validate(cm({ big: 'x'.repeat(1024 * 1024 + 1) })))).toEqual([': Too long: must have at most 1048576 bytes']);
  });

  it('Secret types require their keys', () => {
    const secret = (type: string, data: Record<string, string> = {}) => applyDefaults<Secret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, type, data });
    expect(validate(secret(''))).toEqual([]);
    expect(messages(validate(secret('kubernetes.io/tls', { 'tls.crt': 'eA==' })))).toEqual(['data[tls.key]: Required value']);
    expect(messages(validate(secret('kubernetes.io/basic-auth')))).toEqual(['data[username]: Required value', 'data[password]: Required value']);
    expect(messages(validate(secret('kubernetes.io/service-account-token')))).toEqual([
      'metadata.annotations[kubernetes.io/service-account.name]: Required value',
    ]);
  });

  it('Node taints (reported under metadata.taints) and resources', () => {
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
      spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'dedicated', value: 'x', effect: 'NoSchedule' }, { key: 'k', effect: 'Sometimes' }] },
      status: { capacity: { cpu: '-1', 'example.com/dongle': '1.5' } },
    };
    expect(messages(validate(node))).toEqual([
      'metadata.taints[1]: Duplicate value: core.Taint{Key:"dedicated", Value:"x", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
      'metadata.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0',
      'status.capacity.example.com/dongle: Invalid value: "1500m": must be an integer',
    ]);
  });
});

describe('Event, Lease, Endpoints, EndpointSlice', () => {
  it('core Events use legacy rules: namespaces must agree', () => {
    const ev: Event = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } };
    expect(messages(validate(ev))).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
    expect(validate({ ...ev, involvedObject: { ...ev.involvedObject, namespace: 'default' } })).toEqual([]);
    expect(messages(validate({ ...ev, metadata: { namespace: 'default' }, involvedObject: { namespace: 'default' } }))).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
  });

  it('events.k8s.io/v1 Events are strict', () => {
    const ev: EventV1 = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'web.1', namespace: 'default' }, eventTime: '2024-01-01T00:00:00.000000Z', regarding: { namespace: 'default' } };
    expect(messages(validate(ev))).toEqual([
      'reportingController: Required value',
      `reportingController: Invalid value: "": name part must be non-empty`,
      `reportingController: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
      'type: Invalid value: "": has invalid value: ',
    ]);
  });

  it('Lease durations must be positive', () => {
    const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } };
    expect(messages(validate(lease))).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('Endpoints and EndpointSlices check addresses and ports', () => {
    const ep = applyDefaults<Endpoints>({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'd' }, subsets: [{ addresses: [{ ip: '10.0.0.300' }], ports: [{ port: 80 }] }, { ports: [{ port: 81 }] }] });
    expect(messages(validate(ep))).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`',
    ]);
    const slice = applyDefaults<EndpointSlice>({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-x', namespace: 'd' }, addressType: 'IPv4', endpoints: [{ addresses: ['fd00::1'] }, { addresses: [] }], ports: [{ port: 80 }, { port: 81 }] });
    expect(messages(validate(slice))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
      'endpoints[1].addresses: Required value: must contain at least 1 address',
      'ports[1].name: Duplicate value: ""',
    ]);
  });

  it('refuses kinds it does not model', () => {
    expect(() => validate({ apiVersion: 'apps/v1', kind: 'StatefulSet' })).toThrow(UnsupportedKindError);
  });
});
