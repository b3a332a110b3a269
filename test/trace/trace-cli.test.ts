import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerReviewCommands } from '../../src/cli/commands/review.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { captureOutput } from '../capture-output.ts';
import { SMALL_TRACE } from './fixtures/small-trace.ts';

async function run(...argv: string[]): Promise<string> {
  const program = new Command('kubesim').exitOverride();
  registerReviewCommands(program);
  const { stdout } = await captureOutput(() => program.parseAsync(argv, { from: 'user' }));
  return stdout;
}

describe('kubesim trace render', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-trace-cli-'));
  const file = join(dir, 'trace.jsonl');
  writeFileSync(file, SMALL_TRACE);

  afterEach(() => {
    process.exitCode = undefined;
  });

  it('prints the Mermaid diagram of a window and an address filter', async () => {
    const out = await run('trace', 'render', file, '--from', '280', '--to', '420', '--address', 'etcd-2');
    expect(out.split('\n')[0]).toBe('sequenceDiagram');
    expect(out).toContain('  etcd_1-xetcd_2: 300 raft.heartbeat (dropped: partition)\n');
    expect(out).not.toContain('client_0');
  });

  it('writes a fenced block to a .md file and Perfetto JSON to any other file', async () => {
    expect(await run('trace', 'render', file, '--type', 'etcd.*', '--out', join(dir, 'seq.md'))).toBe(`wrote ${join(dir, 'seq.md')}\n`);
    expect(readFileSync(join(dir, 'seq.md'), 'utf8')).toBe(
      '```mermaid\nsequenceDiagram\n  participant client_0 as client-0\n  participant etcd_1 as etcd-1\n' +
        '  participant etcd_2 as etcd-2\n  client_0->>etcd_1: 10 etcd.request\n  Note over etcd_1,etcd_2: 250 partition p1: etcd-1 | etcd-2\n' +
        '  Note over client_0,etcd_2: 350 heal p1\n  Note over etcd_2: 360 crash (2 unsynced writes lost)\n' +
        '  Note over etcd_2: 450 restart (incarnation 1)\n  etcd_1-)client_0: 460 etcd.response (in flight)\n```\n',
    );
    await run('trace', 'render', file, '--format', 'perfetto', '--out', join(dir, 'trace.json'));
    expect(JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')).traceEvents.length).toBeGreaterThan(20);
  });

  it('rejects bad flags and bad files with one line', async () => {
    await expect(run('trace', 'render', join(dir, 'nope.jsonl'))).rejects.toThrow(new UsageError(`no trace file ${join(dir, 'nope.jsonl')}`));
    await expect(run('trace', 'render', file, '--format', 'svg')).rejects.toThrow('--format must be mermaid or perfetto, got "svg"');
    await expect(run('trace', 'render', file, '--from', 'soon')).rejects.toThrow('--from must be a non-negative number of ms, got "soon"');
    writeFileSync(join(dir, 'bad.jsonl'), '{"t":1}\n');
    await expect(run('trace', 'render', join(dir, 'bad.jsonl'))).rejects.toThrow(UsageError);
  });
});
