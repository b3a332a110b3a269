// Conditions of `expect` and `wait: { for }`. A mapping with several kinds means all of them.
import { parseSelector } from '../api/labels.ts';
import {
  InputError, boolean, integer, join, list, object, oneOf, onlyKeys, optionalBoolean, optionalInteger, optionalString, string, type Obj,
} from '../cluster/input-check.ts';
import { parseTarget, resolveResource } from '../cluster/kubectl/resources.ts';
import type { Condition, EventQuery, PodQuery } from './format.ts';
import { parseTrafficQuery } from './traffic.ts';
import { parseFieldPath } from './field-path.ts';

export const CONDITION_KINDS = ['pods', 'object', 'count', 'event', 'events', 'traffic', 'all'] as const;

export function parseCondition(value: unknown, path: string): Condition {
  const c = object(value, path);
  const kinds = Object.keys(c);
  if (kinds.length === 0) throw new InputError(path, `a condition needs one of: ${CONDITION_KINDS.join(', ')}`);
  onlyKeys(c, CONDITION_KINDS, path);
  const conditions = kinds.map((kind) => parseOne(kind as (typeof CONDITION_KINDS)[number], c[kind], join(path, kind)));
  return conditions.length === 1 ? conditions[0] : { kind: 'all', conditions };
}

function parseOne(kind: (typeof CONDITION_KINDS)[number], value: unknown, path: string): Condition {
  switch (kind) {
    case 'pods':
      return { kind: 'pods', query: parsePodQuery(value, path) };
    case 'object': {
      const o = object(value, path);
      onlyKeys(o, ['target', 'namespace', 'exists', 'fields'], path);
      const target = string(o.target, join(path, 'target'));
      try {
        parseTarget(target);
      } catch (error) {
        throw new InputError(join(path, 'target'), (error as Error).message.replace(/^error: /, ''));
      }
      const exists = optionalBoolean(o, 'exists', path) ?? true;
      const fields = o.fields === undefined ? {} : object(o.fields, join(path, 'fields'));
      if (!exists && Object.keys(fields).length > 0) throw new InputError(join(path, 'fields'), 'an object that must not exist has no fields to check');
      for (const field of Object.keys(fields)) checkFieldPath(field, join(join(path, 'fields'), field));
      return { kind: 'object', target, exists, fields, ...namespace(o, path) };
    }
    case 'count': {
      const o = object(value, path);
      onlyKeys(o, ['resource', 'namespace', 'selector', 'count'], path);
      const resource = string(o.resource, join(path, 'resource'));
      try {
        resolveResource(resource);
      } catch (error) {
        throw new InputError(join(path, 'resource'), (error as Error).message.replace(/^error: /, ''));
      }
      return {
        kind: 'count', resource, count: integer(o.count, join(path, 'count'), 0),
        ...namespace(o, path), ...selector(o, path),
      };
    }
    case 'event':
      return { kind: 'event', query: parseEventQuery(value, path) };
    case 'events': {
      const o = object(value, path);
      onlyKeys(o, ['sequence', 'object'], path);
      const reasons = list(o.sequence, join(path, 'sequence')).map((r, i) => string(r, join(join(path, 'sequence'), i)));
      if (reasons.length === 0) throw new InputError(join(path, 'sequence'), 'must name at least one reason');
      const obj = optionalString(o, 'object', path);
      return { kind: 'eventSequence', reasons, ...(obj !== undefined ? { object: obj } : {}) };
    }
    case 'traffic':
      return { kind: 'traffic', query: parseTrafficQuery(value, path) };
    case 'all':
      return { kind: 'all', conditions: list(value, path).map((c, i) => parseCondition(c, join(path, i))) };
  }
}

function namespace(o: Obj, path: string): { namespace?: string } {
  const ns = optionalString(o, 'namespace', path);
  return ns !== undefined ? { namespace: ns } : {};
}

function selector(o: Obj, path: string): { selector?: string } {
  const s = optionalString(o, 'selector', path);
  if (s === undefined) return {};
  try {
    parseSelector(s);
  } catch (error) {
    throw new InputError(join(path, 'selector'), `not a label selector: ${(error as Error).message}`);
  }
  return { selector: s };
}

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

function parsePodQuery(value: unknown, path: string): PodQuery {
  const o = object(value, path);
  onlyKeys(o, ['namespace', 'selector', 'phase', 'ready', 'reason', 'minRestarts', 'maxRestarts', 'node', 'count', 'spread', 'onNodes', 'unscheduled'], path);
  const q: PodQuery = { ...namespace(o, path), ...selector(o, path) };
  if (o.phase !== undefined) q.phase = oneOf(o.phase, PHASES, join(path, 'phase'));
  if (o.ready !== undefined) q.ready = boolean(o.ready, join(path, 'ready'));
  if (o.reason !== undefined) q.reason = string(o.reason, join(path, 'reason'));
  const minRestarts = optionalInteger(o, 'minRestarts', path, 0);
  if (minRestarts !== undefined) q.minRestarts = minRestarts;
  const maxRestarts = optionalInteger(o, 'maxRestarts', path, 0);
  if (maxRestarts !== undefined) q.maxRestarts = maxRestarts;
  if (o.node !== undefined) q.node = string(o.node, join(path, 'node'));
  const count = optionalInteger(o, 'count', path, 0);
  if (count !== undefined) q.count = count;
  if (o.spread !== undefined) q.spread = boolean(o.spread, join(path, 'spread'));
  if (o.unscheduled !== undefined) q.unscheduled = boolean(o.unscheduled, join(path, 'unscheduled'));
  if (o.onNodes !== undefined) q.onNodes = list(o.onNodes, join(path, 'onNodes')).map((n, i) => string(n, join(join(path, 'onNodes'), i)));
  return q;
}

function parseEventQuery(value: unknown, path: string): EventQuery {
  const o = object(value, path);
  onlyKeys(o, ['reason', 'type', 'message', 'messageContains', 'object', 'from', 'minCount'], path);
  const q: EventQuery = {};
  for (const key of ['reason', 'message', 'messageContains', 'object', 'from'] as const) {
    const v = optionalString(o, key, path);
    if (v !== undefined) q[key] = v;
  }
  if (o.type !== undefined) q.type = oneOf(o.type, ['Normal', 'Warning'] as const, join(path, 'type'));
  const minCount = optionalInteger(o, 'minCount', path, 1);
  if (minCount !== undefined) q.minCount = minCount;
  if (Object.keys(q).length === 0) throw new InputError(path, 'say which event: reason, message, object, from…');
  return q;
}

function checkFieldPath(field: string, path: string): void {
  try {
    parseFieldPath(field);
  } catch (error) {
    throw new InputError(path, (error as Error).message);
  }
}
