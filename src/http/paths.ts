import type { ApiRequest } from '../apiserver/protocol.ts';

/**
 * A request path under `/api/v1` or `/apis/<group>/<version>`, split as kube-apiserver's RequestInfoFactory
 * splits it: an optional deprecated `watch/` segment, then `namespaces/<ns>/<resource>[/<name>[/<subresource>]]`
 * or `<resource>[/<name>[/<subresource>]]`. The resource is not looked up here: the apiserver actor
 * answers 404 for what it does not serve.
 */
export interface ResourcePath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** `/api/v1/watch/...`: the deprecated watch form. */
  watchPrefix: boolean;
}

/** Subresources of a namespace that follow its name (`/api/v1/namespaces/<name>/status`). */
const NAMESPACE_SUBRESOURCES: ReadonlySet<string> = new Set(['status', 'finalize']);

/** Undefined when the path is not a resource path (discovery documents, unknown paths, proxies). */
export function parseResourcePath(path: string): ResourcePath | undefined {
  const raw = path.split('/');
  if (raw[0] !== '' || raw.some((segment, i) => i > 0 && segment === '' && i < raw.length - 1)) return undefined;
  // A trailing slash is tolerated (`/api/v1/pods/`), as Go's router does for these paths.
  const parts = raw.slice(1).filter((segment, i, all) => !(segment === '' && i === all.length - 1));
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (decoded[0] === 'api' && decoded.length >= 3) {
    group = '';
    version = decoded[1];
    rest = decoded.slice(2);
  } else if (decoded[0] === 'apis' && decoded.length >= 4) {
    group = decoded[1];
    version = decoded[2];
    rest = decoded.slice(3);
  } else {
    return undefined;
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
    if (rest.length === 0) return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  // Proxy paths and the like (`pods/x/proxy/some/path`) are not served.
  if (rest.length > 3) return undefined;
  const [resource, name, subresource] = rest;
  if (resource === undefined || resource === '') return undefined;
  return {
    group, version, resource, watchPrefix,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

/** The verb an HTTP method means on a resource path, or undefined when the method is not allowed there. */
export function verbOf(method: string, path: ResourcePath, watchParam: boolean): ApiRequest['verb'] | undefined {
  const named = path.name !== undefined;
  switch (method) {
    case 'GET':
      if (path.watchPrefix) return 'watch';
      // As RequestInfoFactory: `?watch=true` turns a list into a watch; a named get stays a get.
      if (named) return 'get';
      return watchParam ? 'watch' : 'list';
    case 'POST':
      // POST names an object only to reach a subresource (binding, eviction).
      if (path.watchPrefix) return undefined;
      return !named || path.subresource !== undefined ? 'create' : undefined;
    case 'PUT':
      return named && !path.watchPrefix ? 'update' : undefined;
    case 'PATCH':
      return named && !path.watchPrefix ? 'patch' : undefined;
    case 'DELETE':
      if (path.watchPrefix) return undefined;
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
