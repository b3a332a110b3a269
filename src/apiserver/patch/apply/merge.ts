// Structured merge of an apply configuration into the live object (TypedValue.Merge: the configuration
// wins for every field it sets; keyed lists merge item by item) and removal of owned fields that the
// applier dropped (TypedValue.RemoveItems).
import { childShape, itemShape, type Shape } from '../schema/shape.ts';
import type { FieldSet } from './field-set.ts';
import { fieldElement, valueElement } from './field-set.ts';
import { isObject, itemElement } from './walk.ts';

function isGranular(shape: Shape): boolean {
  return (shape.kind === 'struct' || shape.kind === 'map') && !shape.atomic;
}

export function mergeValues(lhs: unknown, rhs: unknown, shape: Shape): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || lhs === null || rhs === null) return structuredClone(rhs);
  if (shape.kind === 'list' && shape.listType !== 'atomic' && Array.isArray(lhs) && Array.isArray(rhs)) return mergeLists(lhs, rhs, shape);
  if (isGranular(shape) && isObject(lhs) && isObject(rhs)) {
    const out: Record<string, unknown> = { ...lhs };
    for (const [k, v] of Object.entries(rhs)) {
      // A null in an apply configuration asks for the field to be unset.
      if (v === null) delete out[k];
      else out[k] = mergeValues(lhs[k], v, childShape(shape, k));
    }
    return out;
  }
  return structuredClone(rhs);
}

/**
 * mergingWalker.visitListItems: items present in both keep the configuration's relative order, items only
 * in the live list stay where they were relative to their neighbours, new items follow the shared ones
 * they come after in the configuration.
 */
function mergeLists(lhs: unknown[], rhs: unknown[], shape: Shape): unknown[] {
  const items = itemShape(shape);
  const lhsPEs = lhs.map((x) => itemElement(shape, x));
  const rhsPEs = rhs.map((x) => itemElement(shape, x));
  const observedLHS = new Map<string, unknown>();
  lhs.forEach((x, i) => lhsPEs[i] !== undefined && !observedLHS.has(lhsPEs[i]!) && observedLHS.set(lhsPEs[i]!, x));
  const observedRHS = new Map<string, unknown>();
  rhs.forEach((x, i) => rhsPEs[i] !== undefined && !observedRHS.has(rhsPEs[i]!) && observedRHS.set(rhsPEs[i]!, x));
  const sharedOrder = rhsPEs.filter((pe): pe is string => pe !== undefined && observedLHS.has(pe));
  let nextShared = sharedOrder.shift();
  const mergedRHS = new Set<string>();
  const out: unknown[] = [];
  let lI = 0;
  let rI = 0;
  while (lI < lhs.length || rI < rhs.length) {
    if (lI < lhs.length && rI < rhs.length) {
      const pe = lhsPEs[lI];
      if (pe !== undefined && pe === rhsPEs[rI]) {
        mergedRHS.add(pe);
        out.push(mergeValues(observedLHS.get(pe), observedRHS.get(pe), items));
        lI++;
        rI++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (pe !== undefined && observedRHS.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++; // a shared item, but not the one due in this round
        continue;
      }
    }
    if (lI < lhs.length) {
      const pe = lhsPEs[lI];
      if (pe === undefined || !observedRHS.has(pe)) {
        out.push(lhs[lI]);
        lI++;
        continue;
      }
      if (mergedRHS.has(pe)) {
        lI++;
        continue;
      }
    }
    if (rI < rhs.length) {
      const pe = rhsPEs[rI];
      if (pe === undefined) {
        out.push(structuredClone(rhs[rI]));
      } else {
        mergedRHS.add(pe);
        out.push(mergeValues(observedLHS.get(pe), observedRHS.get(pe), items));
        if (nextShared === pe) nextShared = sharedOrder.shift();
      }
      rI++;
    }
  }
  return out;
}

/** The value without the member paths of `set` (a member's whole subtree goes). */
export function removeItems(value: unknown, set: FieldSet, shape: Shape): unknown {
  if (set.member) return undefined;
  if (set.children.size === 0) return value;
  if (shape.kind === 'list' && Array.isArray(value)) {
    const items = itemShape(shape);
    const out: unknown[] = [];
    for (const item of value) {
      const e = shape.listType === 'set' ? valueElement(item) : itemElement(shape, item);
      const sub = e === undefined ? undefined : set.children.get(e);
      if (!sub) {
        out.push(item);
        continue;
      }
      const kept = removeItems(item, sub, items);
      if (kept !== undefined) out.push(kept);
    }
    return out;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const [k, v] of Object.entries(value)) {
      const sub = set.children.get(fieldElement(k));
      if (!sub) continue;
      const kept = removeItems(v, sub, childShape(shape, k));
      if (kept === undefined) delete out[k];
      else out[k] = kept;
    }
    return out;
  }
  return value;
}
