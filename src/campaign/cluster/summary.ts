import { faultEnd, quietAt } from './faults.ts';
import { deploymentName } from './manifests.ts';
import type { ClusterFault, ClusterScenario } from './scenario.ts';

/** A few lines for a failure report: the cluster, the workload and its changes, the faults. */
export function summarizeClusterScenario(scenario: ClusterScenario): string {
  const { shape, workload } = scenario;
  const stale = shape.stale.length > 0 ? `; ${shape.stale.join(' and ')} on apiserver-1` : '';
  const replicas = (shape.replicas ?? 1) > 1 ? `, ${shape.replicas} scheduler and controller-manager replicas` : '';
  const deployments = workload.deployments.map((d, i) => {
    const extras = [
      d.maxSurge !== undefined ? `maxSurge ${d.maxSurge} maxUnavailable ${d.maxUnavailable}` : '',
      d.tolerationSeconds !== undefined ? `tolerates NoExecute ${d.tolerationSeconds} s` : '',
      d.service ? 'with a Service' : '',
    ].filter(Boolean);
    return `  Deployment ${deploymentName(i)}: ${d.replicas} × ${d.cpuMilli}m/${d.memoryMi}Mi${extras.length ? `, ${extras.join(', ')}` : ''}`;
  });
  const jobs = workload.jobs.map((j, i) => `  Job job-${i}: ${j.completions} completions, parallelism ${j.parallelism}, ${j.runMs} ms each`);
  const changes = workload.changes.map((c) => {
    const what = c.kind === 'scale' ? `scale to ${c.replicas}` : c.kind === 'image' ? `image nginx:${c.tag}` : `delete its pod #${c.pod}`;
    return `  ${c.at}ms ${deploymentName(c.deployment)}: ${what}`;
  });
  return [
    `seed ${scenario.seed}: 3 etcd, ${shape.apiservers} apiserver(s), ${shape.nodes} nodes${replicas}${stale}; faults and changes over ${quietAt(scenario)} ms after the workload was applied`,
    'workload:', ...deployments, ...jobs, ...(workload.daemonSet ? ['  DaemonSet agent'] : []),
    ...(workload.unreadyPod ? ['  Pod unready (never Ready) behind Service unready'] : []),
    `changes (${changes.length}):`, ...changes,
    `faults (${scenario.faults.length}):`, ...scenario.faults.map((f) => `  ${describeFault(f)}`),
  ].join('\n');
}

export function describeFault(f: ClusterFault): string {
  const span = `${f.at}–${faultEnd(f)}ms`;
  switch (f.kind) {
    case 'crash':
      return `${f.at}ms crash ${f.target}${f.loseUnsynced ? ' (power loss)' : ''}${f.lost ? ', never returns' : `, restarts after ${f.downtimeMs} ms`}`;
    case 'crash-after-write':
      return `${f.at}ms crash ${f.target} ${f.delayMs} ms after its next write (within 30 s), restarts ${f.downtimeMs} ms later`;
    case 'partition':
      return `${span} partition ${f.host} from every other host`;
    case 'watch-loss':
      return `${span} apiservers → ${f.target} drop ${(f.drop * 100).toFixed(0)} % of messages`;
    case 'lag':
      return `${span} apiserver-${f.apiserver}/etcd ↔ etcd delayed ${f.delayMs} ms`;
    case 'burst':
      return `${span} every link drops ${(f.drop * 100).toFixed(0)} %, duplicates ${(f.duplicate * 100).toFixed(0)} %, reorders`;
    case 'isolate-leader':
      return `${span} partition the ${f.lease} replica holding its Lease from every other host`;
    case 'watch-stall':
      return `${f.at}ms from the controller-manager's next pod create for a ReplicaSet (within 30 s), the ${f.component === 'scheduler' ? "scheduler's" : "controller-manager's"} ${f.resource} watch events stall for ${f.durationMs} ms`;
  }
}
