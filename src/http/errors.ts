import { statusError, type Status } from '../apiserver/protocol.ts';

/**
 * Errors the front door answers itself, before a request reaches an apiserver actor (an unreadable body,
 * an unknown content type, a malformed query), as the `Status` objects kube-apiserver's HTTP layer writes.
 */
export class FrontDoorError extends Error {
  constructor(
    readonly status: Status,
    /** Extra response headers (Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(status.message);
    this.name = 'FrontDoorError';
  }
}

export function refuse(status: Status, headers?: Record<string, string>): never {
  throw new FrontDoorError(status, headers);
}

export function badRequest(message: string): Status {
  return statusError('BadRequest', message);
}

/** The NotFound handler's answer for any path nothing serves. */
export function pathNotFound(): Status {
  return { ...statusError('NotFound', 'the server could not find the requested resource'), details: {} };
}

export function methodNotAllowed(): Status {
  return { ...statusError('MethodNotAllowed', 'the server does not allow this method on the requested resource'), details: {} };
}

/** errors.NewRequestEntityTooLargeError. */
export function entityTooLarge(limit: number): Status {
  return statusError('RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** negotiation.NewUnsupportedMediaTypeError. */
export function unsupportedMediaType(accepted: readonly string[]): Status {
  return statusError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** negotiation.NewNotAcceptableError. */
export function notAcceptable(accepted: readonly string[]): Status {
  return statusError('NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

export function serviceUnavailable(message: string, retryAfterSeconds = 1): Status {
  return statusError('ServiceUnavailable', message, { retryAfterSeconds });
}

export function gatewayTimeout(): Status {
  return statusError('Timeout', 'Timeout: request did not complete within the allotted timeout', { retryAfterSeconds: 1 });
}

export function internalError(message: string): Status {
  return statusError('InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: '', message, field: '' }] });
}

/** True for a value shaped like a metav1.Status (what every error body must be). */
export function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status';
}
