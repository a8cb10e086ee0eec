// Child of `npm run bench` (run with --expose-gc): memory over many questions. The real
// service (createService: SQLite file, default segmenter, every plugin) answers POST /api/ask
// through fastify's inject, and after every 10,000 questions a full GC shows the live heap:
// a leak of even 10 bytes a question would show as about 1 MB over 100,000.
//   node --expose-gc dist/scripts/bench-growth.js [--questions 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createService } from '../src/main.js';
import { generateBenchQuestions } from './bench-questions.js';

export interface GrowthSample { questions: number; heapMb: number; rssMb: number }

async function main() {
  const { values } = parseArgs({ options: { questions: { type: 'string', default: '100000' } } });
  const total = Number(values.questions);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const dir = mkdtempSync(join(tmpdir(), 'bench-growth-'));
  const service = await createService({ DB_PATH: join(dir, 'bot.db'), LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', USER_RATE_LIMIT_PER_MINUTE: '0' });
  const bodies = generateBenchQuestions(1000).map((q, i) => ({ text: q.text, user: `bench-user-${i % 500}` }));
  const samples: GrowthSample[] = [];
  for (let asked = 0; asked < total;) {
    for (const end = asked + 10_000; asked < end; asked++) {
      const res = await service.server.inject({ method: 'POST', url: '/api/ask', payload: bodies[asked % bodies.length] });
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
    }
    gc();
    const m = process.memoryUsage();
    samples.push({ questions: asked, heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 });
  }
  await service.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(samples) + '\n');
}

await main();
