import {
  convertFieldSelector, fieldsMatch, isEverything, matches, parseFieldSelector, parseSelector, selectableFields,
  EVERYTHING, type FieldSelector, type ResourceInfo, type Selector,
} from '../api/index.ts';
import type { ApiQuery } from './protocol.ts';
import { badRequest, fail } from './errors.ts';
import type { KubeObject } from './objects.ts';

/**
 * A list/watch request's label and field selectors compiled once into a predicate (the storage
 * SelectionPredicate). Parse failures are the 400s kube-apiserver returns.
 */
export interface ObjectFilter {
  readonly everything: boolean;
  matches(obj: KubeObject): boolean;
}

export function compileFilter(resource: ResourceInfo, query: ApiQuery | undefined, name?: string): ObjectFilter {
  let label: Selector = EVERYTHING;
  let field: FieldSelector = { requirements: [] };
  try {
    if (query?.labelSelector !== undefined && query.labelSelector !== '') {
      if (typeof query.labelSelector !== 'string') fail(badRequest('labelSelector must be a string'));
      label = parseSelector(query.labelSelector);
    }
    if (query?.fieldSelector !== undefined && query.fieldSelector !== '') {
      if (typeof query.fieldSelector !== 'string') fail(badRequest('fieldSelector must be a string'));
      field = convertFieldSelector(resource, parseFieldSelector(query.fieldSelector));
    }
  } catch (e) {
    if (e instanceof Error && e.name !== 'ApiError') fail(badRequest(e.message));
    throw e;
  }
  // A watch or list of one name (…/pods?watch&fieldSelector=metadata.name=x, or the name in the path).
  if (name !== undefined) field = { requirements: [...field.requirements, { field: 'metadata.name', operator: '=', value: name }] };
  const everything = isEverything(label) && field.requirements.length === 0;
  return {
    everything,
    matches: (obj) =>
      everything ||
      (matches(label, obj.metadata?.labels as Record<string, string> | undefined) &&
        (field.requirements.length === 0 || fieldsMatch(field, selectableFields(resource, obj)))),
  };
}
