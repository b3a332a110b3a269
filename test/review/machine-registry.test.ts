import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gossipMachine } from '../../machines/gossip/gossip.machine.ts';
import {
  isStateMachine,
  loadMachineRegistry,
  REPO_ROOT,
  selectMachines,
  UnknownComponentError,
} from '../../src/review/machine-registry.ts';
import { defaultHostedInput, resolveReviewInput } from '../../src/review/review-module.ts';

describe('machine registry', () => {
  it('finds every exported machine under machines/*/ with no registration', async () => {
    const registry = await loadMachineRegistry();
    const gossip = registry.machines.find((entry) => entry.component === 'gossip');
    expect(gossip).toMatchObject({
      name: 'gossip',
      exportName: 'gossipMachine',
      file: 'machines/gossip/gossip.machine.ts',
    });
    expect(gossip?.machine).toBe(gossipMachine);
    // Non-machine exports (COUNTER_KEY) are not listed.
    expect(registry.machines.filter((entry) => entry.file === gossip?.file)).toHaveLength(1);
  });

  it('loads a sibling .review.ts and reports a machine file that fails to import', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kubesim-registry-'));
    mkdirSync(join(root, 'machines', 'toy'), { recursive: true });
    mkdirSync(join(root, 'machines', 'broken'), { recursive: true });
    const xstate = JSON.stringify(join(REPO_ROOT, 'node_modules/xstate/dist/xstate.esm.js'));
    writeFileSync(
      join(root, 'machines/toy/toy.machine.ts'),
      `import { createMachine } from ${xstate};\nexport const toyMachine = createMachine({ id: 'toy' });\nexport const notAMachine = 3;\n`,
    );
    writeFileSync(join(root, 'machines/toy/toy.review.ts'), `export const reviewEvents = { poke: [{ type: 'poke' }] };\n`);
    writeFileSync(join(root, 'machines/broken/broken.machine.ts'), `throw new Error('half-written');\n`);
    const registry = await loadMachineRegistry(root);
    expect(registry.machines.map((entry) => [entry.component, entry.exportName, entry.reviewFile])).toEqual([
      ['toy', 'toyMachine', 'machines/toy/toy.review.ts'],
    ]);
    expect(registry.machines[0].review.reviewEvents).toEqual({ poke: [{ type: 'poke' }] });
    expect(registry.loadErrors).toEqual([{ file: 'machines/broken/broken.machine.ts', message: 'half-written' }]);
  });

  it('selects components by name and names the known ones when one is unknown', async () => {
    const registry = await loadMachineRegistry();
    expect(selectMachines(registry, ['gossip']).map((entry) => entry.exportName)).toEqual(['gossipMachine']);
    expect(selectMachines(registry, [])).toHaveLength(registry.machines.length);
    expect(() => selectMachines(registry, ['nope'])).toThrow(UnknownComponentError);
    expect(() => selectMachines(registry, ['nope'])).toThrow(/^unknown component nope; known: .*gossip/);
  });

  it('recognises machines by shape', () => {
    expect(isStateMachine(gossipMachine)).toBe(true);
    expect(isStateMachine({ config: {} })).toBe(false);
    expect(isStateMachine(null)).toBe(false);
  });

  it('builds the default input, or rebinds a sample input to the review clock', () => {
    const now = (): number => 42;
    expect(defaultHostedInput('gossip', now)).toEqual({
      address: 'gossip-0',
      incarnation: 0,
      rng: [1, 2, 3, 4],
      disk: new Map(),
      now,
      config: {},
    });
    const sample = { ...defaultHostedInput('x', () => 0), config: { peers: [] } };
    expect(resolveReviewInput({ reviewInput: sample }, 'x', now).now()).toBe(42);
    expect(resolveReviewInput({}, 'kubelet', now).address).toBe('kubelet-0');
  });
});
