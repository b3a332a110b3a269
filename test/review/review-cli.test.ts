import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerReviewCommands } from '../../src/cli/commands/review.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { captureOutput } from '../capture-output.ts';

async function run(...argv: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command('kubesim').exitOverride();
  registerReviewCommands(program);
  const { stdout } = await captureOutput(() => program.parseAsync(argv, { from: 'user' }));
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { stdout, exitCode };
}

describe('kubesim review commands', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('export stately writes one importable file per machine of the named component', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kubesim-stately-'));
    const { stdout, exitCode } = await run('export', 'stately', 'gossip', '--out', out);
    expect(exitCode).toBe(0);
    expect(stdout).toBe(`${join(out, 'gossip.ts')}: round-trip ok\n`);
    expect(readdirSync(out)).toEqual(['gossip.ts']);
    expect(readFileSync(join(out, 'gossip.ts'), 'utf8')).toContain('export const machine = createMachine(');
  });

  it('rejects an unknown component with one line naming the known ones', async () => {
    await expect(run('coverage', 'kubelett')).rejects.toThrow(UsageError);
    await expect(run('export', 'stately', 'kubelett')).rejects.toThrow(/^unknown component kubelett; known: .*gossip/);
  });

  it('docs machines --check passes on the committed docs', async () => {
    const { stdout, exitCode } = await run('docs', 'machines', '--check');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^\d+ machine docs up to date\n$/);
  });

  it('coverage prints the table for the named components', async () => {
    const { stdout, exitCode } = await run('coverage', 'gossip');
    expect(exitCode).toBe(0);
    expect(stdout.split('\n')[0]).toBe('component  machine        states  transitions  paths  problems');
    // gossip has a sibling gossip.review.ts, so it starts and every state and transition is reached.
    expect(stdout).toContain('gossip     gossipMachine  1/1     2/2          3      none');
  });
});
