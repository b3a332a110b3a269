import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatFigures, type Figures } from './harness.ts';

/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line, e.g.
 * `npm run bench -- clock bus`) one after another and prints their figures.
 */
const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.ts', '')))
  .sort();

process.stdout.write(`kubesim bench — node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n\n`);
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<Figures> };
  process.stdout.write(`${formatFigures(file.replace('.bench.ts', ''), await module.run())}\n`);
}
