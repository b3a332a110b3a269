// Benchmark: check a 10,000-operation, 10-key etcd-style history (8 clients, ~5% lost responses).
// Run: node bin/run-ts.mjs bench/linearizability.bench.ts
import { pathToFileURL } from 'node:url';
import { checkLinearizable } from '../src/check/linearizability/checker.ts';
import { simulateKvHistory } from '../src/check/linearizability/simulate.ts';

const CONFIG = {
  seed: 20240607,
  clients: 8,
  ops: 10_000,
  keys: 10,
  unknownRate: 0.05,
  mix: { get: 5, put: 3, cas: 2, delete: 0, range: 0 },
} as const;

export async function run(): Promise<Record<string, number | string>> {
  const generateStart = performance.now();
  const { history } = simulateKvHistory(CONFIG);
  const generateMs = performance.now() - generateStart;

  const checkStart = performance.now();
  const cpuStart = process.cpuUsage();
  const result = checkLinearizable(history);
  const cpu = process.cpuUsage(cpuStart);
  const checkMs = performance.now() - checkStart;
  // A second run with a warm JIT: closer to the cost inside a long-running simulation.
  const warmStart = performance.now();
  checkLinearizable(history);
  const warmCheckMs = performance.now() - warmStart;

  const unknownOutcomeWrites = history.filter((op) => op.return === undefined && op.input.op !== 'get').length;
  const writes = history.filter((op) => op.input.op !== 'get').length;
  return {
    ops: history.length,
    keys: CONFIG.keys,
    clients: CONFIG.clients,
    writes,
    unknownOutcomeWrites,
    unknownOutcomeWritePercent: Number(((unknownOutcomeWrites / writes) * 100).toFixed(1)),
    result: String(result.ok),
    partitions: result.ok === false ? 0 : result.partitions,
    searchSteps: result.ok === false ? 0 : result.steps,
    generateMs: Number(generateMs.toFixed(1)),
    checkMs: Number(checkMs.toFixed(1)),
    checkCpuMs: Number(((cpu.user + cpu.system) / 1000).toFixed(1)),
    warmCheckMs: Number(warmCheckMs.toFixed(1)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await run();
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(28)} ${value}`);
}
