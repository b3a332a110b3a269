// The global half of revision checking (the per-partition half lives in model.ts).
//
// etcd's revision is one counter for the whole store, so two facts relate operations on
// different keys and cannot be checked inside a key's partition:
//   - every write that creates a revision creates a distinct one, and
//   - revisions follow real time: if A returned before B was called, then B's response revision
//     is ≥ A's, and > A's when B itself creates a revision.
// Both are necessary for linearizability; together with the per-partition checks they catch
// stale or reordered revisions without having to search one unpartitioned history.
import type { PreparedOp } from './prepare.ts';
import { describeKvOperation } from './describe.ts';

export interface RevisionOrderViolation {
  readonly earlier: PreparedOp;
  readonly later: PreparedOp;
  readonly message: string;
}

/** true: the op created a new revision; false: it did not; undefined: the response does not say. */
function createsRevision(op: PreparedOp): boolean | undefined {
  const { input, output } = op;
  switch (input.op) {
    case 'put':
      return true;
    case 'cas':
      return output?.succeeded;
    case 'delete':
      return output?.deleted === undefined ? undefined : output.deleted > 0;
    default:
      return false;
  }
}

const label = (op: PreparedOp) => `#${op.source.id} ${describeKvOperation(op.source.input, op.output)}`;

export function findRevisionOrderViolation(ops: readonly PreparedOp[]): RevisionOrderViolation | undefined {
  const withRevision = ops.filter(
    (op): op is PreparedOp & { output: { revision: number } } =>
      op.output?.revision !== undefined && op.ret !== Number.POSITIVE_INFINITY,
  );

  const creators = new Map<number, PreparedOp>();
  for (const op of withRevision) {
    if (createsRevision(op) !== true) continue;
    const other = creators.get(op.output.revision);
    if (other) {
      const [earlier, later] = other.call <= op.call ? [other, op] : [op, other];
      return { earlier, later, message: `${label(earlier)} and ${label(later)} both created revision ${op.output.revision}` };
    }
    creators.set(op.output.revision, op);
  }

  const byCall = [...withRevision].sort((a, b) => a.call - b.call || a.source.id - b.source.id);
  const byReturn = [...withRevision].sort((a, b) => a.ret - b.ret || a.source.id - b.source.id);
  let returned = 0;
  let highest: (typeof withRevision)[number] | undefined;
  for (const later of byCall) {
    while (returned < byReturn.length && byReturn[returned].ret < later.call) {
      const op = byReturn[returned++];
      if (!highest || op.output.revision > highest.output.revision) highest = op;
    }
    if (!highest) continue;
    const bound = highest.output.revision;
    const revision = later.output.revision;
    if (revision < bound || (revision === bound && createsRevision(later) === true)) {
      return {
        earlier: highest,
        later,
        message:
          `${label(highest)} returned at ${highest.ret} before ${label(later)} was called at ${later.call}, ` +
          `yet the later operation ${createsRevision(later) ? 'created' : 'observed'} revision ${revision} ` +
          `${revision < bound ? '<' : '='} ${bound}`,
      };
    }
  }
  return undefined;
}
