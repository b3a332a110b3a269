// The 422 a failed validation turns into (errors.NewInvalid): a metav1.Status whose message
// aggregates the causes, e.g.
//   Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0
import type { Status } from 'kubernetes-types/meta/v1.js';
import { type Cause, causeToString } from './causes.ts';
import { goQuote } from './go-format.ts';
import { groupKindString, resourceForKind } from '../resources.ts';

/** utilerrors.Aggregate.Error(): one message bare, several as "[a, b]", duplicates dropped. */
export function aggregateCauses(causes: readonly Cause[]): string {
  const unique = [...new Set(causes.map(causeToString))];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

function qualifiedKind(kind: string, group: string | undefined): string {
  return groupKindString({ kind, group: group ?? resourceForKind(kind)?.group ?? '' });
}

/** Status.message for a 422; `group` defaults to the registered group of `kind`. */
export function formatInvalidMessage(kind: string, name: string, causes: readonly Cause[], group?: string): string {
  const head = `${qualifiedKind(kind, group)} ${goQuote(name)} is invalid`;
  return causes.length === 0 ? head : `${head}: ${aggregateCauses(causes)}`;
}

/** The full Status body kube-apiserver returns for an invalid object. */
export function invalidStatus(kind: string, name: string, causes: readonly Cause[], group?: string): Status {
  const g = group ?? resourceForKind(kind)?.group ?? '';
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: formatInvalidMessage(kind, name, causes, g),
    reason: 'Invalid',
    details: {
      name,
      ...(g === '' ? {} : { group: g }),
      kind,
      causes: causes.map((c) => ({ reason: c.type, message: c.message, field: c.field })),
    },
    code: 422,
  };
}
