import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findDecodeError } from '../../src/api/decode.ts';
import { podQOSClass } from '../../src/api/qos.ts';

const withResources = (...resources: NonNullable<Pod['spec']>['containers'][number]['resources'][]): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'd' },
  spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: 'i', resources: r })) },
});

describe('findDecodeError', () => {
  it('reports malformed quantities as the 400 decoding produces', () => {
    expect(findDecodeError(withResources({ limits: { cpu: '1 core' } }))).toBe(
      `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { template: { spec: { containers: [{ name: 'a', resources: { requests: { memory: '1Gb' } } }] } } },
    };
    expect(findDecodeError(deployment)).toBe(
      `Deployment in version "v1" cannot be handled as a Deployment: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
    expect(findDecodeError({ apiVersion: 'v1', kind: 'Node', status: { capacity: { cpu: '4x' } } })).toMatch(/^Node in version "v1" cannot be handled as a Node: /);
  });

  it('accepts numbers, nulls and well-formed strings', () => {
    expect(findDecodeError(withResources({ limits: { cpu: 2 as unknown as string, memory: '1Gi' }, requests: { cpu: null as unknown as string } }))).toBeUndefined();
  });
});

describe('podQOSClass', () => {
  it.each([
    [[{}], 'BestEffort'],
    [[{ requests: { cpu: '0' } }], 'BestEffort'], // zero requests do not count
    [[{ requests: { cpu: '100m' } }], 'Burstable'],
    [[{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }], 'Guaranteed'],
    [[{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } }], 'Burstable'],
    // Every container must set both limits for the pod to be Guaranteed.
    [[{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, { requests: { cpu: '1' }, limits: { cpu: '1' } }], 'Burstable'],
    [[{ requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } }], 'BestEffort'],
  ] as const)('%j is %s', (resources, qos) => {
    expect(podQOSClass(withResources(...(resources as unknown as Parameters<typeof withResources>)))).toBe(qos);
  });
});
