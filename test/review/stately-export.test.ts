import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { chartSignature } from '../../src/review/chart-signature.ts';
import { loadMachineRegistry } from '../../src/review/machine-registry.ts';
import { checkStatelyRoundTrip, evaluateStatelySource } from '../../src/review/stately-roundtrip.ts';
import { toStatelySource } from '../../src/review/stately-export.ts';
import { deviceMachine, fetchMachine, inlineGuardMachine } from './fixtures/charts.ts';

describe('Stately export', () => {
  it('round-trips every registered machine', async () => {
    const registry = await loadMachineRegistry();
    expect(registry.loadErrors).toEqual([]);
    expect(registry.machines.length).toBeGreaterThan(0);
    // All machines' failures at once, each prefixed with its file, so one run lists everything to fix.
    const failures = registry.machines.flatMap((entry) =>
      checkStatelyRoundTrip(entry.machine, { origin: entry.file }).failures.map(
        (failure) => `${entry.file} (${entry.exportName}) ${failure}`,
      ),
    );
    expect(failures).toEqual([]);
  });

  it('writes createMachine(config, implementations) with names as strings and named stubs', () => {
    const { source, inlineFunctions } = toStatelySource(deviceMachine);
    expect(inlineFunctions).toEqual([]);
    expect(source).toContain('import { createMachine } from "xstate";');
    expect(source).toContain('export const machine = createMachine(');
    expect(source).toContain('guard: "isReady"');
    expect(source).toContain('retryDelay: "connected"');
    expect(source).toContain('isReady: function isReady() {}');
    // A fixed delay is kept as its number; the name stays the key Stately shows.
    expect(source).toContain('retryDelay: 100,');
    expect(chartSignature(evaluateStatelySource(source))).toEqual(chartSignature(deviceMachine));
  });

  it('reports inline guard and action functions as round-trip failures', () => {
    const result = checkStatelyRoundTrip(inlineGuardMachine);
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      expect.stringMatching(/^a on\.next: inline guard \(guard\)/),
      expect.stringMatching(/^a on\.next: inline action \(xstate\.assign\)/),
    ]);
  });

  it('leaves out computed values without failing, and says so', () => {
    const machine = setup({ types: { input: {} as { start: number } } }).createMachine({
      id: 'computed',
      context: ({ input }) => ({ start: input.start }),
      initial: 'only',
      states: { only: {} },
    });
    const result = checkStatelyRoundTrip(machine);
    expect(result.ok).toBe(true);
    expect(result.dropped).toEqual(['(machine) context (a function)']);
    expect(result.source).toContain('// Left out (implementation, not chart): (machine) context (a function).');
  });

  it('keeps invoked actors, their outcomes and static params by name', () => {
    const result = checkStatelyRoundTrip(fetchMachine);
    expect(result.failures).toEqual([]);
    expect(result.dropped).toEqual(['loading invoke[0] input (a function)']);
    expect(result.source).toContain('src: "fetcher"');
    expect(result.source).toContain('fetcher: createMachine({ id: "fetcher" })');
    expect(result.source).toMatch(/type: "store",\s+params: \{\s+why: "gave up",/);
  });

  it('detects a chart that changed on the way through Stately', () => {
    const { source } = toStatelySource(deviceMachine);
    const tampered = evaluateStatelySource(source.replace('guard: "isReady"', 'guard: "isSteady"'));
    const lost = chartSignature(deviceMachine).filter((line) => !chartSignature(tampered).includes(line));
    expect(lost).toEqual([expect.stringContaining('guard=isReady')]);
  });
});
