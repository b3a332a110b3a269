import { isPlainObject } from '../objects.ts';

/**
 * RFC 6902 JSON Patch (application/json-patch+json), applied as evanphx/json-patch does for
 * kube-apiserver: a patch that is not an array of operations fails to decode (400), an operation that
 * does not apply fails the whole patch (422) and changes nothing.
 */
export class PatchDecodeError extends Error {}
export class PatchApplyError extends Error {}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
  hasValue: boolean;
}

function goType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function decodeOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw new PatchDecodeError(`json: cannot unmarshal ${goType(patch)} into Go value of type jsonpatch.Patch`);
  return patch.map((raw) => {
    if (!isPlainObject(raw)) throw new PatchDecodeError(`json: cannot unmarshal ${goType(raw)} into Go value of type jsonpatch.Operation`);
    const op = typeof raw.op === 'string' ? raw.op : '';
    const path = typeof raw.path === 'string' ? raw.path : undefined;
    if (path === undefined) throw new PatchApplyError(`${op || 'unknown'} operation missing path`);
    return { op, path, from: typeof raw.from === 'string' ? raw.from : undefined, value: raw.value, hasValue: 'value' in raw };
  });
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchApplyError(`invalid JSON pointer: "${pointer}"`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** The parent of the pointer's target and the last token, or undefined when the parent is missing. */
function locate(doc: unknown, tokens: string[]): { parent: Container; key: string } | undefined {
  let cur: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    cur = child(cur, tokens[i]);
    if (cur === undefined) return undefined;
  }
  if (!isPlainObject(cur) && !Array.isArray(cur)) return undefined;
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function arrayIndex(arr: unknown[], token: string, allowEnd: boolean): number | undefined {
  if (allowEnd && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i < arr.length || (allowEnd && i === arr.length) ? i : undefined;
}

function child(cur: unknown, token: string): unknown {
  if (Array.isArray(cur)) {
    const i = arrayIndex(cur, token, false);
    return i === undefined ? undefined : cur[i];
  }
  return isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, token) ? cur[token] : undefined;
}

function getAt(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const token of parsePointer(pointer)) {
    cur = child(cur, token);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

function add(doc: unknown, pointer: string, value: unknown, op: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const at = locate(doc, tokens);
  if (!at) throw new PatchApplyError(`jsonpatch ${op} operation does not apply: doc is missing path: "${pointer}"`);
  if (Array.isArray(at.parent)) {
    const i = arrayIndex(at.parent, at.key, true);
    if (i === undefined) throw new PatchApplyError(`Unable to access invalid index: ${at.key}`);
    at.parent.splice(i, 0, value);
  } else {
    at.parent[at.key] = value;
  }
  return doc;
}

function remove(doc: unknown, pointer: string, op: string): [unknown, unknown] {
  const tokens = parsePointer(pointer);
  const at = tokens.length === 0 ? undefined : locate(doc, tokens);
  if (!at) throw new PatchApplyError(`jsonpatch ${op} operation does not apply: doc is missing path: "${pointer}"`);
  if (Array.isArray(at.parent)) {
    const i = arrayIndex(at.parent, at.key, false);
    if (i === undefined) throw new PatchApplyError(`Unable to access invalid index: ${at.key}`);
    return [doc, at.parent.splice(i, 1)[0]];
  }
  if (!Object.prototype.hasOwnProperty.call(at.parent, at.key)) {
    throw new PatchApplyError(`jsonpatch ${op} operation does not apply: doc is missing key: ${pointer}`);
  }
  const removed = at.parent[at.key];
  delete at.parent[at.key];
  return [doc, removed];
}

function requireValue(o: Operation): unknown {
  if (!o.hasValue) throw new PatchApplyError(`${o.op} operation has no value`);
  return structuredClone(o.value);
}

export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  const ops = decodeOperations(patch);
  let doc = structuredClone(document);
  for (const o of ops) {
    switch (o.op) {
      case 'add':
        doc = add(doc, o.path, requireValue(o), 'add');
        break;
      case 'remove':
        doc = remove(doc, o.path, 'remove')[0];
        break;
      case 'replace': {
        const value = requireValue(o);
        if (o.path === '') {
          doc = value;
          break;
        }
        if (getAt(doc, o.path) === undefined) throw new PatchApplyError(`jsonpatch replace operation does not apply: doc is missing key: ${o.path}`);
        doc = add(remove(doc, o.path, 'replace')[0], o.path, value, 'replace');
        break;
      }
      case 'move': {
        if (o.from === undefined) throw new PatchApplyError('move operation missing from');
        if (o.path.startsWith(`${o.from}/`)) throw new PatchApplyError(`jsonpatch move operation does not apply: cannot move into a child of itself`);
        const [after, moved] = remove(doc, o.from, 'move');
        doc = add(after, o.path, moved, 'move');
        break;
      }
      case 'copy': {
        if (o.from === undefined) throw new PatchApplyError('copy operation missing from');
        const value = getAt(doc, o.from);
        if (value === undefined) throw new PatchApplyError(`jsonpatch copy operation does not apply: doc is missing from path: ${o.from}`);
        doc = add(doc, o.path, structuredClone(value), 'copy');
        break;
      }
      case 'test': {
        const actual = getAt(doc, o.path);
        if (actual === undefined || !deepEqual(actual, o.value)) {
          throw new PatchApplyError(`testing value ${o.path} failed: test failed`);
        }
        break;
      }
      default:
        throw new PatchApplyError(`Unexpected kind: ${o.op}`);
    }
  }
  return doc;
}

/** Whether the patch sets or tests the resource version (then a conflict is the client's to handle). */
export function jsonPatchMentionsResourceVersion(patch: unknown): boolean {
  return Array.isArray(patch) && patch.some((o) => isPlainObject(o) && o.path === '/metadata/resourceVersion');
}
