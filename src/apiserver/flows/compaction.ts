import type { TxnResult } from '../../etcd/protocol.ts';
import { response, type Flow, type FlowEnv } from './effects.ts';
import { invoke } from './storage.ts';

/** The key apiservers share to agree on compaction (upstream's etcd3 compactor). */
export const COMPACT_REV_KEY = 'compact_rev_key';

/**
 * One period of upstream's compactor: claim the period with a Txn on compact_rev_key's version (so of
 * several apiservers only one compacts), then compact etcd to the revision seen one period ago. History
 * older than that is gone: a watch or continue token from before it gets 410.
 */
export function* compactionFlow(env: FlowEnv): Flow {
  const { version, revision } = env.compaction;
  const claim = yield* invoke({
    op: 'txn',
    compare: [{ key: COMPACT_REV_KEY, target: 'VERSION', result: 'EQUAL', operand: version }],
    success: [{ op: 'put', key: COMPACT_REV_KEY, value: String(revision) }],
    failure: [{ op: 'range', key: COMPACT_REV_KEY }],
  });
  if (claim.status !== 'ok') return response(500, null);
  const txn = claim.result as TxnResult;
  if (!txn.succeeded) {
    const kv = txn.responses[0]?.op === 'range' ? txn.responses[0].result.kvs[0] : undefined;
    env.compaction = { version: kv?.version ?? version, revision: txn.header.revision };
    return response(200, null);
  }
  env.compaction = { version: version + 1, revision: txn.header.revision };
  if (revision > 0) yield* invoke({ op: 'compact', revision });
  return response(200, null);
}
