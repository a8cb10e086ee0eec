// Child of `npm run bench`: what loading one part of the service costs in a fresh process
// (time to import it, and resident memory added), to show where start-up and memory go.
//   node dist/scripts/bench-imports.js <module under dist/> [--load-nlu]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, rssMb } from './bench-service.js';

export interface ImportFigures { module: string; ms: number; rssMb: number }

async function main() {
  const target = process.argv[2];
  const loadNlu = process.argv.includes('--load-nlu');
  const before = rssMb(process.pid);
  const started = performance.now();
  const mod = (await import(pathToFileURL(join(ROOT, 'dist', target)).href)) as { loadNlu?: () => Promise<unknown> };
  if (loadNlu) await mod.loadNlu!();
  const figures: ImportFigures = { module: target, ms: performance.now() - started, rssMb: rssMb(process.pid) - before };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

await main();
