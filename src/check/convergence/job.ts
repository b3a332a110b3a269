// ESR for Jobs: a finished Job (Complete or Failed) has no active pods left, and a Complete one reached
// its completions; an unfinished one runs exactly as many pods as it may — min(parallelism, completions
// − succeeded), or parallelism for a work-queue Job until its first success, none while suspended — all
// Running and Ready, and is not sitting on completions it has reached without saying so.
import type { Job } from 'kubernetes-types/batch/v1.js';
import { isActive, isControlledBy, isRunningAndReady, listNames, podName, podStateText } from './pods.ts';
import { describeObject, type ClusterView } from './view.ts';
import { violation, type Violation } from './violation.ts';

function finishedAs(job: Job): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

export function checkJob(job: Job, view: ClusterView): Violation[] {
  const object = describeObject('Job', job);
  const at = view.time;
  const out: Violation[] = [];
  const v = (detail: string) => out.push(violation('job', object, detail, at));
  if (job.metadata?.deletionTimestamp) return [violation('stuck-deletion', object, `is still being deleted (since ${job.metadata.deletionTimestamp}).`, at)];
  const namespace = job.metadata?.namespace ?? '';
  const owned = view.objects.pods.filter((p) => (p.metadata?.namespace ?? '') === namespace && isControlledBy(p, job));
  const active = owned.filter(isActive);
  // Succeeded pods may have been removed once counted, so the status is the record of successes; the
  // pods still stored must not contradict it.
  const succeededPods = owned.filter((p) => p.status?.phase === 'Succeeded').length;
  const succeeded = Math.max(job.status?.succeeded ?? 0, succeededPods);
  const completions = job.spec?.completions ?? undefined;
  const parallelism = job.spec?.parallelism ?? 1;
  const finished = finishedAs(job);
  const names = () => listNames(active.map((p) => p.metadata?.name ?? '?'));

  if (finished) {
    if (active.length > 0) v(`is ${finished} but still has ${active.length} active pods: ${names()}.`);
    if (finished === 'Complete' && completions != null && succeeded < completions) v(`is Complete with ${succeeded} of ${completions} completions.`);
    if ((job.status?.active ?? 0) !== 0) v(`is ${finished} but its status reports active=${job.status?.active}.`);
    return out;
  }
  const reached = completions != null ? succeeded >= completions : succeeded > 0 && active.length === 0;
  if (reached) {
    v(`has ${succeeded} succeeded pods${completions != null ? ` of ${completions} completions` : ''} but is not marked Complete.`);
    return out;
  }
  let want: number;
  if (job.spec?.suspend) want = 0;
  else if (completions != null) want = Math.max(0, Math.min(parallelism, completions - succeeded));
  else want = succeeded > 0 ? Math.min(active.length, parallelism) : parallelism;
  if (active.length !== want) v(`has ${active.length} active pods, wants ${want}${job.spec?.suspend ? ' (suspended)' : ''}${active.length ? ` (${names()})` : ''}.`);
  for (const pod of active) if (!isRunningAndReady(pod)) v(`has ${podName(pod)} that ${podStateText(pod)}.`);
  if ((job.status?.active ?? 0) !== active.length) v(`reports active=${job.status?.active ?? 0} in its status, but has ${active.length} active pods.`);
  return out;
}
