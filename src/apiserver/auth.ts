import type { ApiRequest, Status, UserInfo } from './protocol.ts';
import { forbidden, unauthorized } from './errors.ts';

/**
 * The pluggable front of the pipeline: authentication (who is asking) then authorization (may they).
 * Each chain is a list of plugins tried in order, as kube-apiserver's union authenticator and
 * authorizer do. RBAC is a later issue; the built-ins cover the common test setups.
 */

export type AuthnResult = { user: UserInfo } | { status: Status } | undefined;

export interface Authenticator {
  readonly name: string;
  /** A user, a refusal, or undefined to let the next authenticator try. */
  authenticate(request: ApiRequest): AuthnResult;
}

/** authorizer.Attributes, as RBAC would see them. */
export interface AuthzAttributes {
  user: UserInfo;
  verb: ApiRequest['verb'];
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export type AuthzDecision = { decision: 'allow' } | { decision: 'deny'; reason?: string } | { decision: 'noOpinion' };

export interface Authorizer {
  readonly name: string;
  authorize(attributes: AuthzAttributes): AuthzDecision;
}

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Trusts the identity the request carries (what a client certificate or token would have established). */
const requestUser: Authenticator = {
  name: 'RequestUser',
  authenticate: (request) => (request.user && typeof request.user.username === 'string' && request.user.username !== '' ? { user: request.user } : undefined),
};

/** --anonymous-auth=true: whoever is left is system:anonymous. */
const anonymous: Authenticator = { name: 'Anonymous', authenticate: () => ({ user: ANONYMOUS }) };

const alwaysAllow: Authorizer = { name: 'AlwaysAllow', authorize: () => ({ decision: 'allow' }) };
const alwaysDeny: Authorizer = { name: 'AlwaysDeny', authorize: () => ({ decision: 'deny' }) };

/** system:masters may do anything (as RBAC's superuser group); others get no opinion. */
const systemMasters: Authorizer = {
  name: 'SystemMasters',
  authorize: (a) => (a.user.groups.includes('system:masters') ? { decision: 'allow' } : { decision: 'noOpinion' }),
};

export const AUTHENTICATORS: Readonly<Record<string, Authenticator>> = { RequestUser: requestUser, Anonymous: anonymous };
export const AUTHORIZERS: Readonly<Record<string, Authorizer>> = { AlwaysAllow: alwaysAllow, AlwaysDeny: alwaysDeny, SystemMasters: systemMasters };

export function authenticate(chain: readonly Authenticator[], request: ApiRequest): { user: UserInfo } | { status: Status } {
  for (const plugin of chain) {
    const result = plugin.authenticate(request);
    if (result) return result;
  }
  return { status: unauthorized() };
}

/** The union authorizer: the first decision wins; nobody deciding is a denial. */
export function authorize(chain: readonly Authorizer[], attributes: AuthzAttributes): Status | undefined {
  let reason = '';
  for (const plugin of chain) {
    const result = plugin.authorize(attributes);
    if (result.decision === 'allow') return undefined;
    if (result.decision === 'deny') {
      reason = result.reason ?? '';
      break;
    }
  }
  return forbidden(attributes.apiGroup, attributes.resource, attributes.name ?? '', forbiddenReason(attributes, reason));
}

/** `User "u" cannot list resource "pods" in API group "" in the namespace "default"`. */
function forbiddenReason(a: AuthzAttributes, reason: string): string {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const base = `User "${a.user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
  return reason ? `${base}: ${reason}` : base;
}
