// Reading an `api.response`: success, or the metav1.Status failure with the predicates controllers
// branch on (apierrors.IsNotFound, IsConflict, IsAlreadyExists, IsResourceExpired/IsGone, ...).
import type { ApiResponseMessage, Status } from '../apiserver/protocol.ts';

export interface ApiFailure {
  code: number;
  reason: string;
  message: string;
}

function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status';
}

/** The failure an error response carries; undefined for 2xx. */
export function failureOf(response: Pick<ApiResponseMessage, 'code' | 'body'>): ApiFailure | undefined {
  if (response.code >= 200 && response.code < 300) return undefined;
  return failureFromStatus(response.body, response.code);
}

/** A Status body (also what a watch ERROR event carries) as a failure. */
export function failureFromStatus(body: unknown, fallbackCode = 500): ApiFailure {
  if (isStatus(body)) return { code: body.code || fallbackCode, reason: body.reason, message: body.message };
  return { code: fallbackCode, reason: '', message: typeof body === 'string' ? body : `unexpected response (${fallbackCode})` };
}

/** A request that got no answer in time: the outcome is unknown, like a client-side timeout. */
export function timeoutFailure(what: string): ApiFailure {
  return { code: 504, reason: 'Timeout', message: `${what}: context deadline exceeded` };
}

export const isNotFound = (f: ApiFailure | undefined): boolean => f?.code === 404;
export const isConflict = (f: ApiFailure | undefined): boolean => f?.code === 409 && f.reason === 'Conflict';
export const isAlreadyExists = (f: ApiFailure | undefined): boolean => f?.code === 409 && f.reason === 'AlreadyExists';
/** 410: Expired ("too old resource version") or Gone. */
export const isExpired = (f: ApiFailure | undefined): boolean => f?.code === 410;
export const isTooManyRequests = (f: ApiFailure | undefined): boolean => f?.code === 429;
