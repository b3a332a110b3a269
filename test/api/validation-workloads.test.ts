import { describe, expect, it } from 'vitest';
import type { DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { applyDefaults, defaultForCreate } from '../../src/api/defaults.ts';
import { causeToString, formatInvalidMessage, invalidStatus, validate, type Cause } from '../../src/api/validation.ts';

const messages = (causes: readonly Cause[]) => causes.map(causeToString);

function deployment(mutate: (d: Deployment) => void = () => {}): Deployment {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
    },
  };
  mutate(d);
  return applyDefaults(d);
}

describe('Deployment validation', () => {
  it('accepts a defaulted deployment', () => {
    expect(validate(deployment())).toEqual([]);
  });

  it('rejects negative replicas with the exact 422 message', () => {
    const causes = validate(deployment((d) => (d.spec!.replicas = -1)));
    expect(formatInvalidMessage('Deployment', 'web', causes)).toBe(
      'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(invalidStatus('Deployment', 'web', causes)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      reason: 'Invalid',
      details: {
        name: 'web',
        group: 'apps',
        kind: 'Deployment',
        causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }],
      },
      code: 422,
    });
  });

  it('requires a selector that matches the template', () => {
    const missing = deployment((d) => delete (d.spec as { selector?: unknown }).selector);
    expect(messages(validate(missing))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    const mismatch = deployment((d) => (d.spec!.template.metadata!.labels = { app: 'x' }));
    expect(messages(validate(mismatch))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
    ]);
    const empty = deployment((d) => (d.spec!.selector = {}));
    expect(messages(validate(empty))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  it('only allows restartPolicy Always in the template', () => {
    const d = deployment((x) => (x.spec!.template.spec!.restartPolicy = 'Never'));
    expect(messages(validate(d))).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  });

  it('validates the rolling update parameters', () => {
    const zero = deployment((d) => (d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }));
    expect(messages(validate(zero))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ]);
    const zeroPercent = deployment((d) => (d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '0%', maxUnavailable: '0%' } }));
    expect(messages(validate(zeroPercent))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
    ]);
    const tooMuch = deployment((d) => (d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10', maxUnavailable: '150%' } }));
    expect(messages(validate(tooMuch))).toEqual([
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ]);
  });

  it('rejects unknown strategies and rolling parameters on Recreate', () => {
    const unknown = deployment((d) => (d.spec!.strategy = { type: 'BlueGreen' }));
    expect(messages(validate(unknown))).toEqual([
      'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
    ]);
    const recreate = deployment((d) => (d.spec!.strategy = { type: 'Recreate', rollingUpdate: {} }));
    expect(messages(validate(recreate))).toEqual([
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ]);
  });

  it('needs progressDeadlineSeconds above minReadySeconds', () => {
    const d = deployment((x) => {
      x.spec!.minReadySeconds = 600;
    });
    expect(messages(validate(d))).toEqual(['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds']);
  });

  it('reports template errors under spec.template', () => {
    const d = deployment((x) => (x.spec!.template.spec!.containers = [{ name: 'a', image: '' }]));
    expect(messages(validate(d))).toEqual(['spec.template.spec.containers[0].image: Required value']);
    const labels = deployment((x) => {
      x.spec!.selector = { matchLabels: { 'a/b/c': 'x' } };
      x.spec!.template.metadata!.labels = { 'a/b/c': 'x' };
    });
    const out = messages(validate(labels));
    expect(out[0]).toMatch(/^spec\.selector\.matchLabels: Invalid value: "a\/b\/c": a qualified name must consist/);
    expect(out).toContain('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a/b/c":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: invalid label selector');
  });
});

describe('ReplicaSet and DaemonSet validation', () => {
  const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };

  it('ReplicaSet shares the deployment rules, wording included', () => {
    const rs = applyDefaults<ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'a-1', namespace: 'd' }, spec: { replicas: -2, selector: {}, template } });
    expect(messages(validate(rs))).toEqual([
      'spec.replicas: Invalid value: -2: must be greater than or equal to 0',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  it('DaemonSet rolling update needs exactly one of maxSurge and maxUnavailable', () => {
    const ds = (maxUnavailable: number, maxSurge: number) =>
      applyDefaults<DaemonSet>({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: 'kube-system' },
        spec: { selector: { matchLabels: { app: 'a' } }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge } } },
      });
    expect(validate(ds(1, 0))).toEqual([]);
    expect(messages(validate(ds(0, 0)))).toEqual(['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
    expect(messages(validate(ds(1, 1)))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
    ]);
  });
});

function job(mutate: (j: Job) => void = () => {}): Job {
  const j: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: '0f4c-uid' },
    spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } },
  };
  mutate(j);
  return defaultForCreate(j);
}

describe('Job validation', () => {
  it('accepts a job with its generated selector', () => {
    expect(validate(job())).toEqual([]);
  });

  it('requires restartPolicy OnFailure or Never', () => {
    expect(messages(validate(job((j) => delete j.spec!.template.spec!.restartPolicy)))).toEqual([
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
    expect(messages(validate(job((j) => (j.spec!.template.spec!.restartPolicy = 'Sometimes'))))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
    ]);
  });

  it('checks counts, completion mode and the manual selector', () => {
    const j = job((x) => {
      x.spec!.parallelism = -1;
      x.spec!.backoffLimit = -1;
      x.spec!.completionMode = 'Indexed';
    });
    expect(messages(validate(j))).toEqual([
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
      'spec.completions: Required value: when completion mode is Indexed',
    ]);
    const manual = job((x) => {
      x.spec!.manualSelector = true;
      x.spec!.selector = { matchLabels: { app: 'pi' } };
    });
    expect(messages(validate(manual))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
    ]);
    // A nil selector selects nothing, so the template check fails too (as upstream).
    expect(messages(validate(job((x) => (x.spec!.manualSelector = true))))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
    ]);
  });
});
