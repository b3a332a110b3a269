// Scenario YAML → a checked Scenario. Every problem is reported as `file:line: path: problem`, before
// anything runs. The step and condition vocabulary is documented in docs/scenarios.md.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { InputError, boolean, integer, isObject, join, list, object, onlyKeys, optionalString, string, type Obj } from '../cluster/input-check.ts';
import { ManifestError, parseManifest, type ManifestObject } from '../cluster/kubectl/apply.ts';
import { parseTarget, resolveResource } from '../cluster/kubectl/resources.ts';
import { resolveClusterSpec, resolveLink } from '../cluster/resolve-spec.ts';
import { parseCondition } from './parse-condition.ts';
import { parseDuration } from './duration.ts';
import type { FaultAction, Scenario, Step } from './format.ts';

/** A scenario file that cannot be run: where, and what is wrong. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

export const STEP_VERBS = ['apply', 'delete', 'scale', 'setImage', 'rolloutUndo', 'wait', 'fault', 'expect'] as const;
const DEFAULT_WAIT_TIMEOUT_MS = 120_000;

/** A step without what every step has (path, name, expectError). */
type Body<K extends Step['kind']> = Omit<Extract<Step, { kind: K }>, 'path' | 'label' | 'expectError'>;

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScenarioError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseScenario(text, { file, baseDir: dirname(resolve(file)) });
}

export function parseScenario(text: string, where: { file?: string; baseDir?: string } = {}): Scenario {
  const file = where.file ?? 'scenario';
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const line = error.linePos?.[0]?.line ?? lines.linePos(error.pos[0]).line;
    throw new ScenarioError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolved or exploding aliases surface only here.
    throw new ScenarioError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  try {
    return build(value, where.baseDir ?? process.cwd(), file);
  } catch (error) {
    if (error instanceof InputError) {
      const line = lineOf(doc, lines, error.path);
      throw new ScenarioError(`${file}${line ? `:${line}` : ''}: ${error.message}`);
    }
    throw error;
  }
}

/** The line of the deepest node the path reaches (`steps[2].apply.file` → its line). */
function lineOf(doc: Document, lines: LineCounter, path: string): number | undefined {
  const segments = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  for (let n = segments.length; n > 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function build(value: unknown, baseDir: string, file: string): Scenario {
  const root = object(value ?? {}, '');
  onlyKeys(root, ['name', 'description', 'seed', 'cluster', 'steps'], '');
  const steps = list(root.steps ?? [], 'steps');
  return {
    name: optionalString(root, 'name', '') ?? file,
    ...(root.description !== undefined ? { description: string(root.description, 'description') } : {}),
    ...(root.seed !== undefined ? { seed: integer(root.seed, 'seed', 0) } : {}),
    cluster: resolveClusterSpec(root.cluster ?? {}, 'cluster'),
    steps: steps.map((step, i) => parseStep(step, join('steps', i), baseDir)),
    baseDir,
  };
}

function parseStep(value: unknown, path: string, baseDir: string): Step {
  const raw = object(value, path);
  const verbs = Object.keys(raw).filter((k) => (STEP_VERBS as readonly string[]).includes(k));
  if (verbs.length !== 1) {
    throw new InputError(path, verbs.length === 0
      ? `a step needs one of: ${STEP_VERBS.join(', ')}`
      : `a step does one thing; found ${verbs.join(' and ')}`);
  }
  const verb = verbs[0] as (typeof STEP_VERBS)[number];
  onlyKeys(raw, [verb, 'name', 'expectError'], path);
  const base = {
    path,
    ...(raw.name !== undefined ? { label: string(raw.name, join(path, 'name')) } : {}),
    ...(raw.expectError !== undefined ? { expectError: string(raw.expectError, join(path, 'expectError')) } : {}),
  };
  const body = raw[verb];
  const at = join(path, verb);
  switch (verb) {
    case 'apply':
      return { ...base, ...parseApply(body, at, baseDir) };
    case 'delete':
      return { ...base, ...parseDelete(body, at) };
    case 'scale': {
      const s = object(body, at);
      onlyKeys(s, ['target', 'replicas', 'namespace'], at);
      return { ...base, kind: 'scale', target: target(s.target, join(at, 'target')), replicas: integer(s.replicas, join(at, 'replicas'), 0), ...ns(s, at) };
    }
    case 'setImage':
      return { ...base, ...parseSetImage(body, at) };
    case 'rolloutUndo': {
      const s = typeof body === 'string' ? { target: body } : object(body, at);
      onlyKeys(s, ['target', 'toRevision', 'namespace'], at);
      const t = target(s.target, join(at, 'target'));
      if (resolveResource(t.split('/')[0]).kind !== 'Deployment') throw new InputError(join(at, 'target'), 'rollout undo works on deployments');
      return { ...base, kind: 'rolloutUndo', target: t, toRevision: s.toRevision === undefined ? 0 : integer(s.toRevision, join(at, 'toRevision'), 0), ...ns(s, at) };
    }
    case 'wait':
      return { ...base, ...parseWait(body, at) };
    case 'fault':
      return { ...base, kind: 'fault', fault: parseFault(body, at) };
    case 'expect': {
      if (isObject(body) && body.within !== undefined) {
        const { within, ...condition } = body;
        return { ...base, kind: 'expect', condition: parseCondition(condition, at), withinMs: parseDuration(within, join(at, 'within')) };
      }
      return { ...base, kind: 'expect', condition: parseCondition(body, at), withinMs: 0 };
    }
  }
}

function ns(obj: Obj, path: string): { namespace?: string } {
  const namespace = optionalString(obj, 'namespace', path);
  return namespace !== undefined ? { namespace } : {};
}

function target(value: unknown, path: string): string {
  const text = string(value, path);
  try {
    parseTarget(text);
  } catch (error) {
    throw new InputError(path, (error as Error).message.replace(/^error: /, ''));
  }
  return text;
}

function parseApply(value: unknown, path: string, baseDir: string): Body<'apply'> {
  let text: string;
  let source = 'STDIN';
  let namespace: string | undefined;
  let objects: ManifestObject[] | undefined;
  if (typeof value === 'string') text = value;
  else {
    const a = object(value, path);
    if (a.apiVersion !== undefined || a.kind !== undefined) {
      objects = [a as ManifestObject];
      text = '';
    } else {
      onlyKeys(a, ['file', 'manifest', 'namespace'], path);
      namespace = optionalString(a, 'namespace', path);
      if ((a.file === undefined) === (a.manifest === undefined)) throw new InputError(path, 'give either file or manifest');
      if (a.manifest !== undefined) {
        if (typeof a.manifest === 'string') text = a.manifest;
        else {
          objects = (Array.isArray(a.manifest) ? a.manifest : [a.manifest]).map((m, i) => object(m, join(join(path, 'manifest'), i)) as ManifestObject);
          text = '';
        }
      } else {
        source = string(a.file, join(path, 'file'));
        const full = isAbsolute(source) ? source : resolve(baseDir, source);
        try {
          text = readFileSync(full, 'utf8');
        } catch (error) {
          throw new InputError(join(path, 'file'), `cannot read ${full}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
      }
    }
  }
  if (!objects) {
    try {
      objects = parseManifest(text, source);
    } catch (error) {
      if (error instanceof ManifestError) throw new InputError(path, error.message);
      throw error;
    }
  }
  if (objects.length === 0) throw new InputError(path, 'the manifest holds no objects');
  return { kind: 'apply', objects, source, ...(namespace !== undefined ? { namespace } : {}) };
}

function parseDelete(value: unknown, path: string): Body<'delete'> {
  if (typeof value === 'string') {
    const t = target(value, path);
    const [resource, name] = t.split('/');
    return { kind: 'delete', resource, name, wait: true };
  }
  const d = object(value, path);
  onlyKeys(d, ['target', 'resource', 'name', 'selector', 'limit', 'namespace', 'gracePeriodSeconds', 'wait'], path);
  let resource: string;
  let name: string | undefined;
  if (d.target !== undefined) {
    if (d.resource !== undefined || d.name !== undefined) throw new InputError(path, 'give target, or resource with name/selector, not both');
    [resource, name] = target(d.target, join(path, 'target')).split('/');
  } else {
    resource = string(d.resource, join(path, 'resource'));
    try {
      resolveResource(resource);
    } catch (error) {
      throw new InputError(join(path, 'resource'), (error as Error).message.replace(/^error: /, ''));
    }
    name = optionalString(d, 'name', path);
  }
  const selector = optionalString(d, 'selector', path);
  if ((name === undefined) === (selector === undefined)) throw new InputError(path, 'give a name (or target) or a selector');
  return {
    kind: 'delete', resource, wait: d.wait === undefined ? true : boolean(d.wait, join(path, 'wait')),
    ...(name !== undefined ? { name } : {}),
    ...(selector !== undefined ? { selector } : {}),
    ...(d.limit !== undefined ? { limit: integer(d.limit, join(path, 'limit'), 1) } : {}),
    ...(d.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: integer(d.gracePeriodSeconds, join(path, 'gracePeriodSeconds'), 0) } : {}),
    ...ns(d, path),
  };
}

function parseSetImage(value: unknown, path: string): Body<'setImage'> {
  const s = object(value, path);
  onlyKeys(s, ['target', 'container', 'image', 'images', 'namespace'], path);
  let images: Record<string, string>;
  if (s.images !== undefined) {
    if (s.image !== undefined || s.container !== undefined) throw new InputError(path, 'give images, or image with an optional container, not both');
    images = {};
    for (const [container, image] of Object.entries(object(s.images, join(path, 'images')))) images[container] = string(image, join(join(path, 'images'), container));
  } else {
    images = { [optionalString(s, 'container', path) ?? '*']: string(s.image, join(path, 'image')) };
  }
  return { kind: 'setImage', target: target(s.target, join(path, 'target')), images, ...ns(s, path) };
}

function parseWait(value: unknown, path: string): Body<'wait'> {
  if (!isObject(value)) return { kind: 'wait', durationMs: parseDuration(value, path), timeoutMs: 0 };
  onlyKeys(value, ['for', 'timeout'], path);
  if (value.for === undefined) throw new InputError(path, 'give a duration ("30s") or { for: <condition>, timeout }');
  return {
    kind: 'wait',
    condition: parseCondition(value.for, join(path, 'for')),
    timeoutMs: value.timeout === undefined ? DEFAULT_WAIT_TIMEOUT_MS : parseDuration(value.timeout, join(path, 'timeout')),
  };
}

const FAULT_KINDS = ['crash', 'restart', 'partition', 'heal', 'degrade'] as const;

function parseFault(value: unknown, path: string): FaultAction {
  const f = object(value, path);
  const kinds = Object.keys(f).filter((k) => (FAULT_KINDS as readonly string[]).includes(k));
  if (kinds.length !== 1) throw new InputError(path, `a fault is one of: ${FAULT_KINDS.join(', ')}`);
  const kind = kinds[0] as (typeof FAULT_KINDS)[number];
  const at = join(path, kind);
  switch (kind) {
    case 'crash':
      onlyKeys(f, ['crash', 'loseUnsynced'], path);
      return { kind, target: string(f.crash, at), loseUnsynced: f.loseUnsynced === true };
    case 'restart':
      onlyKeys(f, ['restart'], path);
      return { kind, target: string(f.restart, at) };
    case 'heal':
      onlyKeys(f, ['heal'], path);
      if (f.heal === true || f.heal === 'all') return { kind };
      return { kind, id: string(f.heal, at) };
    case 'partition': {
      onlyKeys(f, ['partition', 'id'], path);
      const p = object(f.partition, at);
      onlyKeys(p, ['from', 'to', 'oneWay'], at);
      const side = (key: string) => list(p[key], join(at, key)).map((entry, i) => string(entry, join(join(at, key), i)));
      return { kind, id: optionalString(f, 'id', path) ?? 'partition', from: side('from'), to: side('to'), oneWay: p.oneWay === true };
    }
    case 'degrade': {
      onlyKeys(f, ['degrade', 'id'], path);
      const d = object(f.degrade, at);
      onlyKeys(d, ['from', 'to', 'link', 'duration'], at);
      return {
        kind, id: optionalString(f, 'id', path) ?? 'degrade',
        from: string(d.from ?? '*', join(at, 'from')), to: string(d.to ?? '*', join(at, 'to')),
        link: resolveLink(d.link, join(at, 'link')), durationMs: parseDuration(d.duration, join(at, 'duration')),
      };
    }
  }
}
