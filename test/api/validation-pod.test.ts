import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { applyDefaults } from '../../src/api/defaults.ts';
import { causeToString, formatInvalidMessage, validate, type Cause } from '../../src/api/validation.ts';

const SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const messages = (causes: readonly Cause[]) => causes.map(causeToString);

function pod(mutate: (p: Pod) => void = () => {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
  };
  mutate(p);
  return applyDefaults(p);
}

describe('Pod validation', () => {
  it('accepts a defaulted minimal pod', () => {
    expect(validate(pod())).toEqual([]);
  });

  it('requires a name, reports bad names as RFC 1123 subdomains', () => {
    expect(messages(validate(pod((p) => delete p.metadata!.name)))).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
    expect(messages(validate(pod((p) => (p.metadata!.name = 'Web_1'))))).toEqual([`metadata.name: Invalid value: "Web_1": ${SUBDOMAIN_ERR}`]);
    expect(messages(validate(pod((p) => delete p.metadata!.namespace)))).toEqual(['metadata.namespace: Required value']);
  });

  it('reports cause types and bodies the way StatusCause carries them', () => {
    const [cause] = validate(pod((p) => delete p.metadata!.name));
    expect(cause).toEqual({ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' });
  });

  it('requires containers, container names and images', () => {
    expect(messages(validate(pod((p) => (p.spec!.containers = []))))).toEqual(['spec.containers: Required value']);
    const bad = pod((p) => (p.spec!.containers = [{ name: '', image: '' }]));
    expect(messages(validate(bad))).toEqual(['spec.containers[0].name: Required value', 'spec.containers[0].image: Required value']);
  });

  it('rejects duplicate and malformed container names', () => {
    const dup = pod((p) => p.spec!.containers.push({ name: 'app', image: 'busybox' }));
    expect(messages(validate(dup))).toEqual(['spec.containers[1].name: Duplicate value: "app"']);
    const upper = pod((p) => (p.spec!.containers[0].name = 'App'));
    expect(messages(validate(upper))).toEqual([`spec.containers[0].name: Invalid value: "App": ${LABEL_ERR}`]);
    const initDup = pod((p) => (p.spec!.initContainers = [{ name: 'app', image: 'busybox' }]));
    expect(messages(validate(initDup))).toEqual(['spec.initContainers[0].name: Duplicate value: "app"']);
  });

  it('checks container ports', () => {
    const p = pod((x) => (x.spec!.containers[0].ports = [{ containerPort: 70000 }, { containerPort: 0 }, { containerPort: 80, protocol: 'HTTP' }, { containerPort: 81, hostPort: -1, name: 'web--x' }]));
    expect(messages(validate(p))).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].containerPort: Required value',
      'spec.containers[0].ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[3].name: Invalid value: "web--x": must not contain consecutive hyphens',
      'spec.containers[0].ports[3].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive',
    ]);
  });

  it('checks requests against limits', () => {
    const p = pod((x) => (x.spec!.containers[0].resources = { limits: { cpu: '1' }, requests: { cpu: '2' } }));
    expect(messages(validate(p))).toEqual(['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']);
    const negative = pod((x) => (x.spec!.containers[0].resources = { requests: { memory: '-1Gi' } }));
    expect(messages(validate(negative))).toEqual(['spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0']);
  });

  it('requires extended resources to be integral with requests equal to limits', () => {
    const p = pod((x) => (x.spec!.containers[0].resources = { requests: { 'example.com/gpu': '1' } }));
    expect(messages(validate(p))).toEqual(['spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources']);
    const frac = pod((x) => (x.spec!.containers[0].resources = { limits: { 'example.com/gpu': '500m' } }));
    expect(messages(validate(frac))).toContain('spec.containers[0].resources.limits[example.com/gpu]: Invalid value: "500m": must be an integer');
    const unknown = pod((x) => (x.spec!.containers[0].resources = { limits: { gpu: '1' } }));
    // Pod defaulting copied the limit into requests, so both maps report it.
    expect(messages(validate(unknown))).toEqual([
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ]);
  });

  it('lists supported restart and DNS policies in upstream order', () => {
    expect(messages(validate(pod((p) => (p.spec!.restartPolicy = 'Sometimes'))))).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    expect(messages(validate(pod((p) => (p.spec!.dnsPolicy = 'Cluster'))))).toEqual([
      'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });

  it('reports fields an undefaulted pod lacks', () => {
    const raw: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'd' }, spec: { containers: [{ name: 'a', image: 'i' }] } };
    expect(messages(validate(raw))).toEqual([
      'spec.terminationGracePeriodSeconds: Required value',
      'spec.containers[0].terminationMessagePolicy: Required value',
      'spec.containers[0].imagePullPolicy: Required value',
      'spec.restartPolicy: Required value',
      'spec.dnsPolicy: Required value',
    ]);
  });

  it('validates volumes, mounts, probes, tolerations and scheduling fields', () => {
    const p = pod((x) => {
      x.spec!.volumes = [{ name: 'two', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }];
      x.spec!.containers[0].volumeMounts = [{ name: 'missing', mountPath: '/m' }];
      x.spec!.containers[0].livenessProbe = { httpGet: { port: 80 }, successThreshold: 2 };
      x.spec!.tolerations = [{ key: 'k', operator: 'Exists', value: 'v' }, { operator: 'Equal', value: 'x' }];
      x.spec!.nodeName = 'Node_1';
      x.spec!.activeDeadlineSeconds = 0;
    });
    expect(messages(validate(p))).toEqual([
      'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[2].name: Duplicate value: "data"',
      'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      `spec.nodeName: Invalid value: "Node_1": ${SUBDOMAIN_ERR}`,
      'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
      'spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is \'Exists\'',
      'spec.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ]);
  });

  it('validates labels and annotations with upstream field paths', () => {
    const p = pod((x) => {
      x.metadata!.labels = { 'bad key': 'v', ok: '-bad' };
      x.metadata!.annotations = { big: 'x'.repeat(300 * 1024) };
    });
    const out = messages(validate(p));
    expect(out[0]).toMatch(/^metadata\.labels: Invalid value: "bad key": name part must consist of/);
    expect(out[1]).toMatch(/^metadata\.labels: Invalid value: "-bad": a valid label must be an empty string/);
    expect(out[2]).toBe('metadata.annotations: Too long: must have at most 262144 bytes');
  });
});

describe('formatInvalidMessage', () => {
  it('formats one cause bare and several in brackets, like kube-apiserver', () => {
    const one = validate(pod((p) => (p.spec!.restartPolicy = 'Sometimes')));
    expect(formatInvalidMessage('Pod', 'web', one)).toBe(
      'Pod "web" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
    const two = validate(pod((p) => (p.spec!.containers = [{ name: '', image: '' }])));
    expect(formatInvalidMessage('Pod', 'web', two)).toBe(
      'Pod "web" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]',
    );
  });
});
