import { notFound } from '../protocol.ts';
import { forbidden } from '../errors.ts';
import type { AdmissionPlugin } from './types.ts';

/** Namespaces the bootstrap controller keeps and the plugin refuses to delete. */
export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/**
 * NamespaceLifecycle: no new content in a namespace that does not exist or is being terminated, and the
 * immortal namespaces cannot be deleted. Upstream reads an informer and falls back to a live GET; here the
 * flow fetches the namespace (watch cache, then etcd) before admission runs.
 */
export const namespaceLifecycle: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  validate(a, lookups) {
    if (a.operation === 'DELETE' && a.resource.plural === 'namespaces' && a.resource.group === '' && IMMORTAL_NAMESPACES.includes(a.name)) {
      return forbidden('', 'namespaces', a.name, 'this namespace may not be deleted');
    }
    if (a.operation !== 'CREATE' || !a.resource.namespaced || !a.namespace) return undefined;
    const ns = lookups.namespace;
    if (!ns) return notFound('', 'namespaces', a.namespace);
    if (ns.status?.phase === 'Terminating') {
      return forbidden(a.resource.group, a.resource.plural, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`, [
        { reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' },
      ]);
    }
    return undefined;
  },
};
