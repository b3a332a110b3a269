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
  /**
   * For pods, the node an exact `spec.nodeName=<node>` requirement asks for (upstream's pod trigger
   * function): a pod on another node cannot match, which the watch cache checks before `matches`.
   */
  readonly nodeName?: string;
  matches(obj: KubeObject): boolean;
}

/** A pod's `spec.nodeName` as its field set reads it ("" when unset). */
export function podNodeName(obj: KubeObject): string {
  return ((obj.spec as { nodeName?: string } | undefined)?.nodeName ?? '') as string;
}

/**
 * The selectable fields of frozen objects (the watch cache's), computed once per object rather than once per
 * watcher that tests it, as upstream's watch cache keeps each event's fields alongside the object.
 */
const frozenFields = new WeakMap<object, ReturnType<typeof selectableFields>>();

function fieldsOf(resource: ResourceInfo, obj: KubeObject): ReturnType<typeof selectableFields> {
  if (!Object.isFrozen(obj)) return selectableFields(resource, obj);
  let fields = frozenFields.get(obj);
  if (fields === undefined) {
    fields = selectableFields(resource, obj);
    frozenFields.set(obj, fields);
  }
  return fields;
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
  const isPods = resource.group === '' && resource.plural === 'pods';
  const nodeName = isPods ? field.requirements.find((r) => r.field === 'spec.nodeName' && r.operator === '=')?.value : undefined;
  return {
    everything,
    ...(nodeName !== undefined ? { nodeName } : {}),
    matches: (obj) =>
      everything ||
      (matches(label, obj.metadata?.labels as Record<string, string> | undefined) &&
        (field.requirements.length === 0 || fieldsMatch(field, fieldsOf(resource, obj)))),
  };
}
