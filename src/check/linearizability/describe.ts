// Human-readable rendering of KV operations, e.g. `cas("x", value=="a" ⇒ "b") → succeeded @rev 7`.
import type { KvInput, KvOutput } from './history.ts';

const quote = (s: string) => JSON.stringify(s);

function describeInput(input: KvInput): string {
  switch (input.op) {
    case 'get':
      return `get(${quote(input.key)})`;
    case 'put':
      return `put(${quote(input.key)}, ${quote(input.value)})`;
    case 'delete':
      return `delete(${quote(input.key)})`;
    case 'range':
      return `range(${quote(input.prefix)}*)`;
    case 'cas': {
      const compares = [
        input.expectValue !== undefined ? `value==${quote(input.expectValue)}` : undefined,
        input.expectVersion !== undefined ? `version==${input.expectVersion}` : undefined,
        input.expectModRevision !== undefined ? `mod==${input.expectModRevision}` : undefined,
      ].filter((c) => c !== undefined);
      return `cas(${quote(input.key)}, ${compares.join(' && ') || 'true'} ⇒ ${quote(input.value)})`;
    }
  }
}

function describeOutput(input: KvInput, output: KvOutput): string {
  if (!output.ok) return `error: ${output.error}`;
  const parts: string[] = [];
  if (input.op === 'get' && output.value !== undefined) {
    parts.push(output.value === null ? 'absent' : quote(output.value));
  }
  if (input.op === 'range' && output.kvs) {
    parts.push(`{${output.kvs.map((kv) => `${quote(kv.key)}: ${quote(kv.value)}`).join(', ')}}`);
  }
  if (input.op === 'cas' && output.succeeded !== undefined) parts.push(output.succeeded ? 'succeeded' : 'failed');
  if (input.op === 'delete' && output.deleted !== undefined) parts.push(`deleted ${output.deleted}`);
  if (output.version !== undefined) parts.push(`ver ${output.version}`);
  if (output.modRevision !== undefined) parts.push(`mod ${output.modRevision}`);
  if (output.revision !== undefined) parts.push(`@rev ${output.revision}`);
  return parts.join(' ') || 'ok';
}

export function describeKvOperation(input: KvInput, output: KvOutput | undefined): string {
  return `${describeInput(input)} → ${output ? describeOutput(input, output) : '?'}`;
}
