import { authenticate, authorize } from '../auth.ts';
import { badRequest, fail, methodNotAllowed } from '../errors.ts';
import { isPlainObject } from '../objects.ts';
import type { ApiRequest } from '../protocol.ts';
import { resolveTarget } from '../resources.ts';
import { bindingFlow } from './binding.ts';
import { createFlow } from './create.ts';
import { deleteCollectionFlow, deleteFlow, evictionFlow } from './delete.ts';
import type { Flow, FlowEnv, Scope } from './effects.ts';
import { logsFlow } from './logs.ts';
import { getFlow, listFlow, watchFlow } from './read.ts';
import { patchScaleFlow, updateScaleFlow } from './scale.ts';
import { patchFlow, updateFlow } from './update.ts';

export type { CompactionState, Effect, EtcdOutcome, Flow, FlowEnv, FlowResult, KubeletAnswer, Scope, StreamSpec, WatchSpec } from './effects.ts';
export { createFlow } from './create.ts';
export { compactionFlow } from './compaction.ts';

const VERBS: readonly ApiRequest['verb'][] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** The handler chain for one request: shape → route → authenticate → authorize → the verb's flow. */
export function* serve(raw: unknown, env: FlowEnv): Flow {
  const request = checkShape(raw);
  const target = resolveTarget(request, env.served);
  const authn = authenticate(env.config.authenticators, request);
  if ('status' in authn) fail(authn.status);
  const denied = authorize(env.config.authorizers, {
    user: authn.user, verb: request.verb, apiGroup: target.resource.group, resource: target.resource.plural,
    subresource: target.subresource, namespace: target.namespace, name: target.name,
  });
  if (denied) fail(denied);
  return yield* flowFor({ request, target, user: authn.user, env });
}

function checkShape(raw: unknown): ApiRequest {
  if (!isPlainObject(raw)) fail(badRequest('the request is not an object'));
  const r = raw as Partial<ApiRequest>;
  if (typeof r.verb !== 'string' || !VERBS.includes(r.verb)) fail(methodNotAllowed());
  if (typeof r.group !== 'string' || typeof r.version !== 'string' || typeof r.resource !== 'string') {
    fail(badRequest('the request must name a group, version and resource'));
  }
  if (r.query !== undefined && !isPlainObject(r.query)) fail(badRequest('the query must be an object'));
  return r as ApiRequest;
}

function flowFor(s: Scope): Flow {
  const verb = s.request.verb;
  switch (s.target.subresource) {
    case 'binding':
      return bindingFlow(s);
    case 'eviction':
      return evictionFlow(s);
    case 'log':
      return logsFlow(s);
    case 'scale':
      if (verb === 'update') return updateScaleFlow(s);
      if (verb === 'patch') return patchScaleFlow(s);
      return getFlow(s);
    default:
      break;
  }
  switch (verb) {
    case 'get':
      return getFlow(s);
    case 'list':
      return listFlow(s);
    case 'watch':
      return watchFlow(s);
    case 'create':
      return createFlow(s);
    case 'update':
      return updateFlow(s);
    case 'patch':
      return patchFlow(s);
    case 'delete':
      return deleteFlow(s);
    case 'deletecollection':
      return deleteCollectionFlow(s);
  }
}
