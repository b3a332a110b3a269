// How structured merge sees a value: a scalar, a struct with declared fields, a map, or a list that is
// atomic, a set, or keyed by some of its items' fields. Derived from the type catalog and the list markers.
import { ATOMIC_STRUCTS, markersOf, type ListMarkers } from './list-markers.ts';
import { declaration, moduleOf, TypeCatalogError, type Declaration, type TypeExpr } from './type-catalog.ts';

type StructDecl = Extract<Declaration, { kind: 'struct' }>;

export type Shape =
  | { kind: 'scalar' }
  /** Free-form or unknown: owned and replaced as a whole. */
  | { kind: 'untyped' }
  | { kind: 'struct'; decl: StructDecl; atomic: boolean }
  | { kind: 'map'; values: TypeExpr; atomic: boolean }
  | { kind: 'list'; items: TypeExpr; listType: 'atomic' | 'set' | 'map'; keys: readonly string[] };

const UNTYPED: Shape = { kind: 'untyped' };
const SCALAR: Shape = { kind: 'scalar' };

export function shapeOf(t: TypeExpr | undefined, markers?: ListMarkers): Shape {
  if (t === undefined) return UNTYPED;
  switch (t.kind) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'literal':
    case 'intOrString':
      return SCALAR;
    case 'array': {
      // Lists without markers are atomic, as structured-merge-diff defaults them.
      const listType = markers?.listType ?? 'atomic';
      return { kind: 'list', items: t.items, listType, keys: listType === 'map' ? markers?.listMapKeys ?? [] : [] };
    }
    case 'map':
      return { kind: 'map', values: t.values, atomic: false };
    case 'ref': {
      const decl = declaration(t.module, t.name);
      if (decl.kind === 'alias') return SCALAR; // Time, MicroTime, Quantity
      if (decl.fields.length === 0) return UNTYPED; // FieldsV1, RawExtension
      return { kind: 'struct', decl, atomic: ATOMIC_STRUCTS.has(`${decl.module}.${decl.name}`) };
    }
  }
}

/** The shape of a field of a struct, or of an entry of a map; untyped when the struct has no such field. */
export function childShape(parent: Shape, key: string): Shape {
  if (parent.kind === 'map') return shapeOf(parent.values);
  if (parent.kind !== 'struct') return UNTYPED;
  const field = parent.decl.fields.find((f) => f.name === key);
  return field ? shapeOf(field.type, markersOf(parent.decl.module, parent.decl.name, field.name)) : UNTYPED;
}

/** Whether `key` is a declared field of a struct (map entries and unknown fields are not). */
export function isDeclaredField(parent: Shape, key: string): boolean {
  return parent.kind === 'struct' && parent.decl.fields.some((f) => f.name === key);
}

export function itemShape(list: Shape): Shape {
  return list.kind === 'list' ? shapeOf(list.items) : UNTYPED;
}

/** The root shape of a kind served at group/version; untyped when the catalog does not know it. */
export function rootShape(group: string, version: string, kind: string): Shape {
  try {
    return shapeOf({ kind: 'ref', module: moduleOf(group, version), name: kind });
  } catch (e) {
    if (e instanceof TypeCatalogError || (e as NodeJS.ErrnoException).code === 'ENOENT') return UNTYPED;
    throw e;
  }
}
