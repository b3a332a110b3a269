// Safety: a pod is bound at most once — once spec.nodeName is set it never changes (the apiserver rejects a
// second Binding; a scheduler that double-binds, or a model that rewrites nodeName, breaks this). Tracked by
// uid, so a pod deleted and re-created under the same name is a different pod.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterView } from '../convergence/view.ts';
import { violation, type Violation } from '../convergence/violation.ts';

/** uid → the node the pod was first seen bound to, and its name. */
export type Bindings = Map<string, { readonly node: string; readonly pod: string }>;

const nameOf = (pod: Pod) => `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`;

/** Records the bindings `view` shows and reports pods now bound somewhere else than before. */
export function trackBindings(bindings: Bindings, view: ClusterView): Violation[] {
  const out: Violation[] = [];
  for (const pod of view.objects.pods) {
    const uid = pod.metadata?.uid;
    const node = pod.spec?.nodeName;
    if (!uid) continue;
    const first = bindings.get(uid);
    if (!node) {
      if (first) out.push(violation('pod-rebound', nameOf(pod), `was bound to ${first.node} and is now unbound.`, view.time));
      continue;
    }
    if (!first) bindings.set(uid, { node, pod: nameOf(pod) });
    else if (first.node !== node) {
      out.push(violation('pod-rebound', nameOf(pod), `was bound to ${first.node} and is now bound to ${node}.`, view.time));
    }
  }
  return out;
}

/** Pods bound in `prev` whose node differs in `next`. */
export function checkRebinding(prev: ClusterView, next: ClusterView): Violation[] {
  const bindings: Bindings = new Map();
  trackBindings(bindings, prev);
  return trackBindings(bindings, next);
}
