import type { ClusterFault, ClusterScenario } from './scenario.ts';

type Obj = Record<string, unknown>;

function obj(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path} must be an object`);
  return value as Obj;
}

function num(o: Obj, field: string, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`${path}.${field} must be a number in [${min}, ${max}]`);
  return v;
}

function list(o: Obj, field: string, path: string): unknown[] {
  if (!Array.isArray(o[field])) throw new Error(`${path}.${field} must be a list`);
  return o[field] as unknown[];
}

const FAULT_FIELDS: Record<ClusterFault['kind'], readonly string[]> = {
  crash: ['target'],
  'crash-after-write': ['target'],
  partition: ['host'],
  'watch-loss': ['target'],
  lag: [],
  burst: [],
  'isolate-leader': ['lease'],
  'watch-stall': ['resource'],
};

/** Checks a scenario decoded from a replay token or a scenario file; throws naming the first bad field. */
export function parseClusterScenario(value: unknown): ClusterScenario {
  const s = obj(value, 'scenario');
  num(s, 'seed', 'scenario');
  const shape = obj(s.shape, 'scenario.shape');
  const apiservers = num(shape, 'apiservers', 'scenario.shape', 1, 9);
  num(shape, 'nodes', 'scenario.shape', 1, 50);
  if (shape.replicas !== undefined) num(shape, 'replicas', 'scenario.shape', 1, 5);
  for (const c of list(shape, 'stale', 'scenario.shape')) {
    if (c !== 'controllerManager' && c !== 'scheduler') throw new Error('scenario.shape.stale lists controllerManager and/or scheduler');
    if (apiservers < 2) throw new Error('scenario.shape.stale needs at least 2 apiservers');
  }
  const workload = obj(s.workload, 'scenario.workload');
  list(workload, 'deployments', 'scenario.workload').forEach((d, i) => {
    const o = obj(d, `scenario.workload.deployments[${i}]`);
    for (const f of ['replicas', 'cpuMilli', 'memoryMi']) num(o, f, `scenario.workload.deployments[${i}]`);
  });
  list(workload, 'jobs', 'scenario.workload').forEach((j, i) => {
    const o = obj(j, `scenario.workload.jobs[${i}]`);
    for (const f of ['completions', 'parallelism', 'runMs']) num(o, f, `scenario.workload.jobs[${i}]`);
  });
  list(workload, 'changes', 'scenario.workload').forEach((c, i) => {
    const o = obj(c, `scenario.workload.changes[${i}]`);
    num(o, 'at', `scenario.workload.changes[${i}]`);
    if (!['scale', 'image', 'delete-pod'].includes(o.kind as string)) throw new Error(`scenario.workload.changes[${i}].kind must be scale, image or delete-pod`);
  });
  list(s, 'faults', 'scenario').forEach((f, i) => {
    const path = `scenario.faults[${i}]`;
    const o = obj(f, path);
    num(o, 'at', path);
    const fields = FAULT_FIELDS[o.kind as ClusterFault['kind']];
    if (!fields) throw new Error(`${path}.kind must be one of ${Object.keys(FAULT_FIELDS).join(', ')}`);
    for (const field of fields) if (typeof o[field] !== 'string') throw new Error(`${path}.${field} must be a string`);
    if (o.kind === 'watch-stall' && o.component !== undefined && o.component !== 'controllerManager' && o.component !== 'scheduler') {
      throw new Error(`${path}.component must be controllerManager or scheduler`);
    }
  });
  return s as unknown as ClusterScenario;
}
