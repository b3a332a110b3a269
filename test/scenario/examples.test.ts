// Every scenario shipped in examples/ runs to the end with every expectation met (exit status 0).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureOutput } from '../capture-output.ts';

const dir = join(import.meta.dirname, '../../examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('examples/', () => {
  it('holds the guides\' walkthroughs', () => {
    expect(examples).toEqual(expect.arrayContaining([
      'nginx-deployment.yaml', 'self-healing.yaml', 'scale.yaml', 'rolling-update.yaml', 'insufficient-cpu.yaml',
      'taints-and-node-selector.yaml', 'crashloop.yaml', 'oomkilled.yaml',
    ]));
  });

  for (const example of examples) {
    it(`kubesim run examples/${example} exits 0`, async () => {
      const { result, stdout, stderr } = await captureOutput(() => main(['run', join(dir, example), '--seed', '1']))
        .finally(() => { process.exitCode = undefined; });
      if (result !== 0) throw new Error(`exit ${result}\n${stderr}${stdout.split('\n').filter((l) => /FAILED|ABORTED|failure/.test(l)).join('\n')}`);
      expect(stdout).toMatch(/LAST SEEN +TYPE +REASON +OBJECT +FROM +MESSAGE/);
      expect(stdout).toMatch(/done: (\d+)\/\1 steps, \d+ expectation\(s\) met, 0 failure\(s\)/);
    });
  }
});
