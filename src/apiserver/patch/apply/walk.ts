// Field sets of values, as structured-merge-diff computes them: the set an apply configuration owns
// (TypedValue.ToFieldSet) and what changed between two versions of an object (TypedValue.Compare).
import { childShape, isDeclaredField, itemShape, type Shape } from '../schema/shape.ts';
import { FieldSet, fieldElement, keyElement, valueElement } from './field-set.ts';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The path element of a list item: its key (map lists) or its value (sets). */
export function itemElement(shape: Shape, item: unknown): string | undefined {
  if (shape.kind !== 'list') return undefined;
  if (shape.listType === 'map') return keyElement(item, shape.keys);
  if (shape.listType === 'set') return valueElement(item);
  return undefined;
}

function isGranularMap(shape: Shape): boolean {
  return (shape.kind === 'struct' || shape.kind === 'map') && !shape.atomic;
}

/** The fields a value sets, relative to the value itself (ToFieldSet). */
export function toFieldSet(value: unknown, shape: Shape): FieldSet {
  const node = FieldSet.empty();
  if (shape.kind === 'list') {
    if (shape.listType === 'atomic') {
      node.member = true;
      return node;
    }
    if (!Array.isArray(value)) return node;
    const items = itemShape(shape);
    for (const item of value) {
      const e = itemElement(shape, item);
      if (e === undefined) continue;
      const child = toFieldSet(item, items);
      child.member = true;
      const existing = node.children.get(e);
      node.children.set(e, existing ? existing.union(child) : child);
    }
    return node;
  }
  if (isGranularMap(shape)) {
    if (!isObject(value)) return node;
    for (const [key, v] of Object.entries(value)) {
      const child = toFieldSet(v, childShape(shape, key));
      if (v === null || (isObject(v) && Object.keys(v).length === 0) || !isDeclaredField(shape, key)) child.member = true;
      node.children.set(fieldElement(key), child);
    }
    return node;
  }
  node.member = true; // scalars, atomic maps and structs, untyped values
  return node;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equalJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equalJson(a[k], b[k]));
  }
  return false;
}

export { equalJson };

/**
 * What changed from `lhs` to `rhs` (TypedValue.Compare). A map or list item that appears or disappears
 * is itself added or removed; struct-typed fields are not, as Go's value structs always exist (a
 * simplification: pointer structs such as rollingUpdate would be added too upstream).
 */
export function compare(lhs: unknown, rhs: unknown, shape: Shape, parentIsStruct = false): Comparison {
  const out: Comparison = { added: FieldSet.empty(), modified: FieldSet.empty(), removed: FieldSet.empty() };
  compareInto(lhs, rhs, shape, [], out, parentIsStruct);
  return out;
}

function leaf(lhs: unknown, rhs: unknown, path: string[], out: Comparison): void {
  const l = lhs === undefined || lhs === null ? undefined : lhs;
  const r = rhs === undefined || rhs === null ? undefined : rhs;
  if (l === undefined && r === undefined) return;
  if (l === undefined) out.added.insert(path);
  else if (r === undefined) out.removed.insert(path);
  else if (!equalJson(l, r)) out.modified.insert(path);
}

function compareInto(lhs: unknown, rhs: unknown, shape: Shape, path: string[], out: Comparison, isStructField: boolean): void {
  if (shape.kind === 'list' && shape.listType !== 'atomic') {
    const l = Array.isArray(lhs) ? lhs : [];
    const r = Array.isArray(rhs) ? rhs : [];
    const items = itemShape(shape);
    const left = new Map<string, unknown>();
    for (const item of l) {
      const e = itemElement(shape, item);
      if (e !== undefined && !left.has(e)) left.set(e, item);
    }
    const right = new Map<string, unknown>();
    for (const item of r) {
      const e = itemElement(shape, item);
      if (e !== undefined && !right.has(e)) right.set(e, item);
    }
    for (const e of new Set([...left.keys(), ...right.keys()])) compareItem(left.get(e), right.get(e), items, [...path, e], out);
    return;
  }
  if (isGranularMap(shape) && (isObject(lhs) || isObject(rhs))) {
    const l = isObject(lhs) ? lhs : undefined;
    const r = isObject(rhs) ? rhs : undefined;
    if (!isStructField || shape.kind === 'map') {
      if (l === undefined && path.length > 0) out.added.insert(path);
      else if (r === undefined && path.length > 0) out.removed.insert(path);
    } else if (r === undefined && l !== undefined && path.length > 0) {
      out.removed.insert(path);
    }
    for (const key of new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})])) {
      compareInto(l?.[key], r?.[key], childShape(shape, key), [...path, fieldElement(key)], out, isDeclaredField(shape, key));
    }
    return;
  }
  leaf(lhs, rhs, path, out);
}

function compareItem(lhs: unknown, rhs: unknown, shape: Shape, path: string[], out: Comparison): void {
  if (isGranularMap(shape)) {
    compareInto(lhs, rhs, shape, path, out, false);
    return;
  }
  leaf(lhs, rhs, path, out);
}

/**
 * EnsureNamedFieldsAreMembers: a struct field that has owned children is itself a member (removing it
 * removes the children), unlike a map entry or a list item.
 */
export function withNamedFieldsAsMembers(set: FieldSet, shape: Shape): FieldSet {
  const out = FieldSet.empty();
  out.member = set.member;
  for (const [e, child] of set.children) {
    let childShapeOf: Shape = { kind: 'untyped' };
    if (e.startsWith('f:')) childShapeOf = childShape(shape, e.slice(2));
    else if (shape.kind === 'list') childShapeOf = itemShape(shape);
    const c = withNamedFieldsAsMembers(child, childShapeOf);
    if (e.startsWith('f:') && shape.kind === 'struct' && isDeclaredField(shape, e.slice(2)) && c.children.size > 0) c.member = true;
    out.children.set(e, c);
  }
  return out;
}
