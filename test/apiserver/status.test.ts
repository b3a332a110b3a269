import { describe, expect, it } from 'vitest';
import { alreadyExists, conflict, expired, notFound, statusError } from '../../src/apiserver/protocol.ts';

describe('Status errors', () => {
  it('words and codes them as kube-apiserver does', () => {
    expect(notFound('', 'pods', 'web-1')).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "web-1" not found', status: 'Failure' });
    expect(alreadyExists('apps', 'deployments', 'web')).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'deployments.apps "web" already exists' });
    expect(conflict('apps', 'deployments', 'web').message).toBe(
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(expired('5', '42')).toMatchObject({ code: 410, reason: 'Expired', message: 'too old resource version: 5 (42)' });
    expect(statusError('Invalid', 'x', { causes: [] })).toMatchObject({ code: 422, kind: 'Status', apiVersion: 'v1', details: { causes: [] } });
  });
});
