// Node selection rules from k8s.io/component-helpers/scheduling/corev1/nodeaffinity:
// RequiredNodeAffinity (nodeSelector AND required terms), NodeSelectorTerms (ORed terms of ANDed
// requirements; an empty term selects nothing) and PreferredSchedulingTerms (weights summed).
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from 'kubernetes-types/core/v1.js';
import { newRequirement, requirementMatches, type Requirement, type SelectorOperator } from '../api/labels.ts';

const OPERATORS: Readonly<Record<string, SelectorOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** A parsed term; `undefined` fields mean the term failed to parse and matches nothing. */
interface ParsedTerm {
  readonly labels: readonly Requirement[] | undefined;
  readonly fields: readonly { readonly op: 'In' | 'NotIn'; readonly value: string }[] | undefined;
}

function parseLabelRequirements(exprs: readonly NodeSelectorRequirement[]): Requirement[] | undefined {
  const out: Requirement[] = [];
  for (const e of exprs) {
    const op = OPERATORS[e.operator];
    if (op === undefined) return undefined;
    try {
      out.push(newRequirement(e.key, op, e.values ?? []));
    } catch {
      return undefined;
    }
  }
  return out;
}

// nodeSelectorRequirementsAsFieldSelector: only metadata.name with In/NotIn and exactly one value.
function parseFieldRequirements(exprs: readonly NodeSelectorRequirement[]): ParsedTerm['fields'] {
  const out: { op: 'In' | 'NotIn'; value: string }[] = [];
  for (const e of exprs) {
    if (e.key !== 'metadata.name' || (e.operator !== 'In' && e.operator !== 'NotIn') || (e.values ?? []).length !== 1) return undefined;
    out.push({ op: e.operator, value: e.values![0] });
  }
  return out;
}

function isEmptyTerm(t: NodeSelectorTerm): boolean {
  return (t.matchExpressions ?? []).length === 0 && (t.matchFields ?? []).length === 0;
}

function parseTerm(t: NodeSelectorTerm): ParsedTerm {
  return { labels: parseLabelRequirements(t.matchExpressions ?? []), fields: parseFieldRequirements(t.matchFields ?? []) };
}

function termMatches(t: ParsedTerm, node: Node): boolean {
  if (t.labels === undefined || t.fields === undefined) return false;
  const labels = node.metadata?.labels ?? {};
  const name = node.metadata?.name ?? '';
  return (
    t.labels.every((r) => requirementMatches(r, labels)) && t.fields.every((f) => (f.op === 'In' ? name === f.value : name !== f.value))
  );
}

export interface RequiredNodeAffinity {
  readonly nodeSelector: Readonly<Record<string, string>> | undefined;
  /** undefined: no required node affinity; otherwise ORed terms (empty terms dropped). */
  readonly terms: readonly ParsedTerm[] | undefined;
}

/** nodeaffinity.GetRequiredNodeAffinity(pod). */
export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const selector = pod.spec?.nodeSelector;
  return {
    nodeSelector: selector !== undefined && Object.keys(selector).length > 0 ? selector : undefined,
    terms: required === undefined ? undefined : required.nodeSelectorTerms.filter((t) => !isEmptyTerm(t)).map(parseTerm),
  };
}

/** RequiredNodeAffinity.Match. */
export function matchesRequiredNodeAffinity(req: RequiredNodeAffinity, node: Node): boolean {
  if (req.nodeSelector !== undefined) {
    const labels = node.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(req.nodeSelector)) if (labels[k] !== v) return false;
  }
  if (req.terms !== undefined) return req.terms.some((t) => termMatches(t, node));
  return true;
}

export interface PreferredTerms {
  readonly terms: readonly { readonly weight: number; readonly term: ParsedTerm }[];
}

/** nodeaffinity.NewPreferredSchedulingTerms: zero-weight and empty preferences are dropped. */
export function preferredNodeAffinity(pod: Pod): PreferredTerms | undefined {
  const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (preferred === undefined) return undefined;
  return {
    terms: preferred.filter((p) => p.weight !== 0 && !isEmptyTerm(p.preference)).map((p) => ({ weight: p.weight, term: parseTerm(p.preference) })),
  };
}

/** PreferredSchedulingTerms.Score: sum of weights of the matching terms. */
export function preferredScore(p: PreferredTerms, node: Node): number {
  let score = 0;
  for (const { weight, term } of p.terms) if (termMatches(term, node)) score += weight;
  return score;
}
