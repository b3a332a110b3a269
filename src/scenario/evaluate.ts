// Whether a condition holds now, and what was seen either way (for the run's output). Objects are read
// through the API as kubectl would; events come from the run's event watch (what was printed).
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import type { Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../client/index.ts';
import { findResource } from '../api/resources.ts';
import { deepEqual } from '../cluster/kubectl/three-way-patch.ts';
import { parseTarget } from '../cluster/kubectl/resources.ts';
import { eventObject, eventSource } from './event-printer.ts';
import { parseFieldPath, readField } from './field-path.ts';
import type { Condition, EventQuery, PodQuery } from './format.ts';
import { describeTraffic, evaluateTraffic } from './traffic.ts';

export interface Verdict {
  ok: boolean;
  /** What was seen: why it failed, or a short confirmation. */
  detail: string;
}

export function evaluate(cluster: Cluster, condition: Condition): Verdict {
  switch (condition.kind) {
    case 'pods':
      return evaluatePods(cluster, condition.query);
    case 'object':
      return evaluateObject(cluster, condition);
    case 'count': {
      const items = cluster.list(condition.resource, { namespace: condition.namespace ?? 'default', labelSelector: condition.selector });
      return { ok: items.length === condition.count, detail: `${items.length} ${condition.resource}${condition.selector ? ` matching ${condition.selector}` : ''}` };
    }
    case 'event':
      return evaluateEvent(cluster, condition.query);
    case 'eventSequence':
      return evaluateSequence(cluster, condition.reasons, condition.object);
    case 'traffic':
      return evaluateTraffic(cluster, condition.query);
    case 'all': {
      const verdicts = condition.conditions.map((c) => evaluate(cluster, c));
      const failed = verdicts.filter((v) => !v.ok);
      const details = [...new Set((failed.length > 0 ? failed : verdicts).map((v) => v.detail))];
      return { ok: failed.length === 0, detail: details.join('; ') };
    }
  }
}

/** The condition in a few words, for step lines: `pods app=web: 3 Running, Ready`. */
export function describeCondition(condition: Condition): string {
  switch (condition.kind) {
    case 'pods': {
      const q = condition.query;
      const filters = [q.phase, q.ready === undefined ? undefined : q.ready ? 'Ready' : 'not Ready', q.reason, q.minRestarts ? `≥${q.minRestarts} restarts` : undefined, q.maxRestarts !== undefined ? `≤${q.maxRestarts} restarts` : undefined, q.node ? `on ${q.node}` : undefined]
        .filter(Boolean).join(', ');
      const checks = [q.spread ? 'on distinct nodes' : '', q.onNodes ? `on ${q.onNodes.join('|')}` : '', q.unscheduled ? 'unscheduled' : ''].filter(Boolean).join(', ');
      return `pods ${q.selector ?? '(all)'}: ${q.count ?? '≥1'}${filters ? ` ${filters}` : ''}${checks ? ` (${checks})` : ''}`;
    }
    case 'object':
      if (!condition.exists) return `${condition.target} gone`;
      return `${condition.target}${Object.keys(condition.fields).length > 0 ? ` ${Object.entries(condition.fields).map(([f, v]) => `${f}=${JSON.stringify(v)}`).join(', ')}` : ' exists'}`;
    case 'count':
      return `${condition.count} ${condition.resource}${condition.selector ? ` ${condition.selector}` : ''}`;
    case 'event': {
      const q = condition.query;
      return `event ${[q.type, q.reason, q.object, q.from].filter(Boolean).join(' ')}${q.message ? ` "${q.message}"` : ''}${q.messageContains ? ` ~"${q.messageContains}"` : ''}`;
    }
    case 'traffic':
      return describeTraffic(condition.query);
    case 'eventSequence':
      return `events ${condition.object ? `of ${condition.object} ` : ''}in order: ${condition.reasons.join(' → ')}`;
    case 'all':
      return condition.conditions.map(describeCondition).join(' and ');
  }
}

// ---- pods ----------------------------------------------------------------------------------------------

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function reasons(pod: Pod): string[] {
  const out: string[] = [];
  if (pod.status?.reason) out.push(pod.status.reason);
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    for (const r of [s.state?.waiting?.reason, s.state?.terminated?.reason, s.lastState?.terminated?.reason]) if (r) out.push(r);
  }
  return out;
}

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
}

function podLine(pod: Pod): string {
  const state = pod.metadata?.deletionTimestamp ? 'Terminating' : reasons(pod).find((r) => r !== 'Completed') ?? pod.status?.phase ?? 'Pending';
  return `${pod.metadata?.name} ${state}${isReady(pod) ? ' Ready' : ''}${restarts(pod) ? ` (${restarts(pod)} restarts)` : ''} ${pod.spec?.nodeName ? `on ${pod.spec.nodeName}` : 'unscheduled'}`;
}

function evaluatePods(cluster: Cluster, q: PodQuery): Verdict {
  const all = cluster.list<Pod & KubeObject>('pods', { namespace: q.namespace ?? 'default', labelSelector: q.selector })
    .filter((p) => !p.metadata?.deletionTimestamp)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const matching = all.filter((p) =>
    (q.phase === undefined || (p.status?.phase ?? 'Pending') === q.phase) &&
    (q.ready === undefined || isReady(p) === q.ready) &&
    (q.reason === undefined || reasons(p).includes(q.reason)) &&
    (q.minRestarts === undefined || restarts(p) >= q.minRestarts) &&
    (q.maxRestarts === undefined || restarts(p) <= q.maxRestarts) &&
    (q.node === undefined || p.spec?.nodeName === q.node));
  const problems: string[] = [];
  if (q.count !== undefined ? matching.length !== q.count : matching.length === 0) {
    problems.push(`want ${q.count ?? 'at least 1'} matching, got ${matching.length}`);
  }
  const nodes = matching.map((p) => p.spec?.nodeName).filter((n): n is string => !!n);
  if (q.spread && new Set(nodes).size !== matching.length) problems.push(`not on distinct nodes (${nodes.join(', ') || 'none scheduled'})`);
  if (q.onNodes) {
    const off = matching.filter((p) => !q.onNodes!.includes(p.spec?.nodeName ?? ''));
    if (off.length > 0) problems.push(`${off.map((p) => `${p.metadata?.name} on ${p.spec?.nodeName ?? 'no node'}`).join(', ')} not on ${q.onNodes.join('|')}`);
  }
  if (q.unscheduled) {
    const placed = matching.filter((p) => p.spec?.nodeName);
    if (placed.length > 0) problems.push(`${placed.map((p) => `${p.metadata?.name} on ${p.spec?.nodeName}`).join(', ')} scheduled`);
  }
  const seen = all.length === 0 ? 'no pods' : all.map(podLine).join(', ');
  return { ok: problems.length === 0, detail: problems.length > 0 ? `${problems.join('; ')}; pods: ${seen}` : seen };
}

// ---- objects -------------------------------------------------------------------------------------------

function evaluateObject(cluster: Cluster, c: Extract<Condition, { kind: 'object' }>): Verdict {
  const { resource, name } = parseTarget(c.target);
  const obj = cluster.get(resource.plural, name, c.namespace ?? 'default');
  if (!c.exists) return { ok: obj === undefined, detail: obj === undefined ? `${c.target} not found` : `${c.target} still exists` };
  if (obj === undefined) return { ok: false, detail: `${c.target} not found` };
  const wrong: string[] = [];
  const seen: string[] = [];
  for (const [field, want] of Object.entries(c.fields)) {
    const got = readField(obj, parseFieldPath(field));
    seen.push(`${field}=${JSON.stringify(got)}`);
    if (!sameValue(got, want)) wrong.push(`${field}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  return { ok: wrong.length === 0, detail: wrong.length > 0 ? wrong.join('; ') : seen.join(', ') || `${c.target} exists` };
}

/** YAML writes `3` where the API has 3 and `"True"` where it has "True"; scalars compare as text. */
function sameValue(got: unknown, want: unknown): boolean {
  if (deepEqual(got, want)) return true;
  // `field: null` in YAML: the field is not set (the API omits empty fields).
  if (want === null && got === undefined) return true;
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return scalar(got) && scalar(want) && String(got) === String(want);
}

// ---- events --------------------------------------------------------------------------------------------

/** The latest version of every event the watch delivered, in first-seen order. */
export function currentEvents(cluster: Cluster): Event[] {
  const latest = new Map<string, Event>();
  for (const { event } of cluster.eventLog) latest.set(`${event.metadata?.namespace}/${event.metadata?.name}`, event);
  return [...latest.values()];
}

/** `pod/web-*` (or `pods/web-…`): the kind term resolved as kubectl would, a trailing * or … a name prefix. */
function objectMatches(pattern: string | undefined, event: Event): boolean {
  if (pattern === undefined) return true;
  const slash = pattern.indexOf('/');
  const term = slash < 0 ? pattern : pattern.slice(0, slash);
  const kind = findResource(term)?.kind.toLowerCase() ?? term.toLowerCase();
  const name = slash < 0 ? '*' : pattern.slice(slash + 1);
  const object = eventObject(event);
  if (/[*…]$/.test(name)) return object.startsWith(`${kind}/${name.slice(0, -1)}`);
  return object === `${kind}/${name}`;
}

export function eventMatches(q: EventQuery, event: Event): boolean {
  const from = eventSource(event);
  return (q.reason === undefined || event.reason === q.reason) &&
    (q.type === undefined || event.type === q.type) &&
    (q.message === undefined || event.message === q.message) &&
    (q.messageContains === undefined || (event.message ?? '').includes(q.messageContains)) &&
    (q.from === undefined || from === q.from || from.split('/')[0] === q.from) &&
    objectMatches(q.object, event);
}

function evaluateEvent(cluster: Cluster, q: EventQuery): Verdict {
  const events = currentEvents(cluster);
  const matching = events.filter((e) => eventMatches(q, e));
  const occurrences = matching.reduce((sum, e) => sum + (e.count ?? 1), 0);
  const want = q.minCount ?? 1;
  if (occurrences >= want) {
    const e = matching[matching.length - 1];
    return { ok: true, detail: `${occurrences}× ${e.reason} ${eventObject(e)}: ${e.message}` };
  }
  // Show the nearest misses: same reason, or same object.
  const near = events.filter((e) => (q.reason !== undefined && e.reason === q.reason) || (q.object !== undefined && objectMatches(q.object, e))).slice(-3);
  const seen = near.length > 0 ? `; closest: ${near.map((e) => `${e.reason} ${eventObject(e)} "${e.message}"`).join(' | ')}` : `; ${events.length} events seen, none close`;
  return { ok: false, detail: `want ${want > 1 ? `${want} occurrences` : 'an event'}, got ${occurrences}${seen}` };
}

function evaluateSequence(cluster: Cluster, reasons: readonly string[], object?: string): Verdict {
  const seen = cluster.eventLog.filter((o) => o.change === 'added' && objectMatches(object, o.event)).map((o) => o.event.reason ?? '');
  let next = 0;
  for (const reason of seen) if (next < reasons.length && reason === reasons[next]) next++;
  const compact = seen.filter((r, i) => r !== seen[i - 1]).join(' → ');
  if (next === reasons.length) return { ok: true, detail: compact };
  return { ok: false, detail: `missing ${reasons[next]} after ${reasons.slice(0, next).join(' → ') || 'the start'}; seen: ${compact || 'nothing'}` };
}
