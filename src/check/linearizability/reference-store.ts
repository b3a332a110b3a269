// A plain sequential etcd-like store, written independently of model.ts so that generated
// histories cross-check the model rather than echo it. Revisions start at 1 as in etcd.
import type { KvInput, KvOkOutput, KvPair } from './history.ts';

export interface StoredKey {
  value: string;
  version: number;
  modRevision: number;
}

export class ReferenceStore {
  revision = 1;
  private readonly data = new Map<string, StoredKey>();

  get(key: string): StoredKey | undefined {
    return this.data.get(key);
  }

  apply(input: KvInput): KvOkOutput {
    switch (input.op) {
      case 'get': {
        const kv = this.data.get(input.key);
        return { ok: true, value: kv?.value ?? null, version: kv?.version ?? 0, modRevision: kv?.modRevision ?? 0, revision: this.revision };
      }
      case 'put':
        this.write(input.key, input.value);
        return { ok: true, revision: this.revision };
      case 'delete': {
        const existed = this.data.delete(input.key);
        if (existed) this.revision++;
        return { ok: true, deleted: existed ? 1 : 0, revision: this.revision };
      }
      case 'cas': {
        const kv = this.data.get(input.key);
        const holds =
          (input.expectValue === undefined || kv?.value === input.expectValue) &&
          (input.expectVersion === undefined || (kv?.version ?? 0) === input.expectVersion) &&
          (input.expectModRevision === undefined || (kv?.modRevision ?? 0) === input.expectModRevision);
        if (holds) this.write(input.key, input.value);
        return { ok: true, succeeded: holds, revision: this.revision };
      }
      case 'range': {
        const kvs: KvPair[] = [...this.data]
          .filter(([key]) => key.startsWith(input.prefix))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([key, kv]) => ({ key, value: kv.value, version: kv.version, modRevision: kv.modRevision }));
        return { ok: true, kvs, revision: this.revision };
      }
    }
  }

  private write(key: string, value: string): void {
    this.revision++;
    const version = (this.data.get(key)?.version ?? 0) + 1;
    this.data.set(key, { value, version, modRevision: this.revision });
  }
}
