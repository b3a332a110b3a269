import { pathToFileURL } from 'node:url';

/** A bench module's figures: name → value (numbers are printed with thousands separators). */
export type Figures = Record<string, number | string>;

/** Wall-clock seconds taken by `work` (benches only: tests never depend on wall-clock speed). */
export function timeIt(work: () => void): number {
  const start = performance.now();
  work();
  return (performance.now() - start) / 1000;
}

export function formatFigures(title: string, figures: Figures): string {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  const rows = Object.entries(figures).map(([key, value]) => {
    const shown = typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : value;
    return `  ${key.padEnd(width)}  ${shown}`;
  });
  return `${title}\n${rows.join('\n')}\n`;
}

/** True when the module is the process entry point (`node bin/run-ts.mjs bench/x.bench.ts`). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}
