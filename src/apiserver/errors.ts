import { statusError, type Status } from './protocol.ts';

/**
 * Status bodies the protocol helpers do not cover, worded as kube-apiserver words them
 * (k8s.io/apimachinery/pkg/api/errors), and the exception the request flows throw to answer with one.
 */

/** Thrown inside a request flow to end it with this Status as the response. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = 'ApiError';
  }
}

export function fail(status: Status): never {
  throw new ApiError(status);
}

export function badRequest(message: string): Status {
  return statusError('BadRequest', message);
}

/** No route: an unknown group/version/resource, or a subresource the resource does not have. */
export function resourceNotFound(): Status {
  return { ...statusError('NotFound', 'the server could not find the requested resource'), details: {} };
}

export function methodNotAllowed(): Status {
  return { ...statusError('MethodNotAllowed', 'the server does not allow this method on the requested resource'), details: {} };
}

export function unauthorized(): Status {
  return statusError('Unauthorized', 'Unauthorized');
}

function qualified(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** errors.NewForbidden: `pods "x" is forbidden: <reason>` (no name: `pods is forbidden: …`). */
export function forbidden(group: string, resource: string, name: string, reason: string, causes?: NonNullable<Status['details']>['causes']): Status {
  const subject = name ? `${qualified(group, resource)} "${name}"` : qualified(group, resource);
  return statusError('Forbidden', `${subject} is forbidden: ${reason}`, { name, group, kind: resource, ...(causes ? { causes } : {}) });
}

/** errors.NewConflict with a specific reason (binding, preconditions). */
export function conflictBecause(group: string, resource: string, name: string, reason: string): Status {
  return statusError('Conflict', `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${reason}`, { name, group, kind: resource });
}

export function internalError(message: string): Status {
  return statusError('InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: '', message, field: '' }] });
}

/** errors.NewTimeoutError: "Timeout: <message>". */
export function timeoutError(message: string, retryAfterSeconds = 0, causes?: NonNullable<Status['details']>['causes']): Status {
  return statusError('Timeout', `Timeout: ${message}`, {
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    ...(causes ? { causes } : {}),
  });
}

/** The handler timeout filter's answer when a request outlives its deadline. */
export function requestTimedOut(): Status {
  return timeoutError('request did not complete within requested timeout - context deadline exceeded');
}

export function tooManyRequests(message: string, retryAfterSeconds: number): Status {
  return statusError('TooManyRequests', message, { retryAfterSeconds });
}

export function unsupportedMediaType(message: string): Status {
  return statusError('UnsupportedMediaType', message);
}

/** The 422 a JSON patch that does not apply gets (NewGenericServerResponse with no resource). */
export function patchNotApplicable(): Status {
  return { ...statusError('Invalid', 'the server rejected our request due to an error in our request'), details: {} };
}

export function success(code = 200, details?: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message: '', reason: '', ...(details ? { details } : {}), code };
}
