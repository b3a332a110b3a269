import { describe, expect, it } from 'vitest';
import type { ApiRequest } from '../../src/apiserver/protocol.ts';
import { FrontDoorError } from '../../src/http/errors.ts';
import { checkFields } from '../../src/http/field-validation.ts';
import type { ResourcePath } from '../../src/http/paths.ts';

/** fieldValidation as the front door applies it before the request reaches the apiserver actor. */

const DEPLOYMENT: ResourcePath = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name: 'web', watchPrefix: false };

function request(verb: ApiRequest['verb'], body: unknown, fieldValidation?: 'Strict' | 'Warn' | 'Ignore', patchType?: ApiRequest['patchType']): ApiRequest {
  return { verb, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'default', name: 'web', body, query: fieldValidation ? { fieldValidation } : {}, ...(patchType ? { patchType } : {}) };
}

function refusal(run: () => unknown): { code: number; reason: string; message: string } {
  try {
    run();
  } catch (e) {
    if (e instanceof FrontDoorError) return e.status as never;
    throw e;
  }
  throw new Error('not refused');
}

const typo = { spec: { template: { spec: { containers: [{ name: 'web', imagee: 'x' }] } } } };

describe('fieldValidation', () => {
  it('refuses a Strict create with the decoder error as the handler words it', () => {
    const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, ...typo };
    expect(refusal(() => checkFields(request('create', body, 'Strict'), DEPLOYMENT))).toMatchObject({
      code: 400, reason: 'BadRequest',
      message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee"',
    });
    expect(checkFields(request('create', body), DEPLOYMENT)).toEqual(['unknown field "spec.template.spec.containers[0].imagee"']);
    expect(checkFields(request('create', body, 'Ignore'), DEPLOYMENT)).toEqual([]);
  });

  it('checks the fields merge and strategic merge patches write, not their directives or deletions', () => {
    for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json'] as const) {
      expect(refusal(() => checkFields(request('patch', typo, 'Strict', type), DEPLOYMENT))).toMatchObject({
        code: 400, reason: 'BadRequest', message: 'strict decoding error: unknown field "spec.template.spec.containers[0].imagee"',
      });
      expect(checkFields(request('patch', typo, 'Warn', type), DEPLOYMENT)).toHaveLength(1);
    }
    // What `kubectl apply` sends: directives, a deletion (null) and known fields only.
    const smp = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: {
        replicas: null,
        template: { spec: { $setElementOrder: { containers: [{ name: 'web' }] }, 'containers': [{ name: 'web', image: 'nginx', $patch: 'merge' }], $retainKeys: ['containers'] } },
      },
    };
    expect(checkFields(request('patch', smp, 'Strict', 'application/strategic-merge-patch+json'), DEPLOYMENT)).toEqual([]);
    expect(checkFields(request('patch', [{ op: 'add', path: '/spec/foo', value: 1 }], 'Strict', 'application/json-patch+json'), DEPLOYMENT)).toEqual([]);
  });
});
