// `npm run bench`: one table, every figure measured in this run, targets beside the figures.
//   npm run bench [-- --quick]     (--quick: shorter runs, for trying the script out)
// Everything is loopback: the built service (`node dist/src/main.js`) and a bare fastify route
// as child processes, autocannon in this process. The machine matters, so the HTTP target is a
// ratio against the bare route measured here and now.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEGMENTER, SEGMENTER_NAMES, type SegmenterName } from '../src/nlu/index.js';
import type { DialogFigures } from './bench-dialog.js';
import type { EngineFigures } from './bench-engine.js';
import type { GrowthSample } from './bench-growth.js';
import type { ImportFigures } from './bench-imports.js';
import type { NluFigures } from './bench-nlu.js';
import { benchBodies, generateBenchQuestions } from './bench-questions.js';
import { cpuSeconds, rssMb, runJson, startListening, startScript, type RunningProcess } from './bench-service.js';

const require = createRequire(import.meta.url);

interface CannonResult {
  /** CPU seconds the server process used during the run (added here, from /proc). */
  cpu?: number;
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number };
}
interface CannonRequest { method: string; path: string; headers: Record<string, string>; body?: string }
const autocannon = require('autocannon') as (opts: object) => Promise<CannonResult>;

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const QUICK = args.quick;
const CONNECTIONS = 20;
const LOAD_SECONDS = QUICK ? 3 : 8;
const GROWTH_QUESTIONS = QUICK ? 20_000 : 100_000;
const STARTS = 3;
// The service as deployed (LOG_LEVEL=info, every request logged, to /dev/null here), with the
// rate limits raised so that they are checked on every request but never refuse one.
const SERVICE_ENV = { LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '1000000000', USER_RATE_LIMIT_PER_MINUTE: '1000000000' };

const questions = generateBenchQuestions(1000);
/** The same bodies, in the same order, for /api/ask and the bare route: 500 users, mixed questions. */
const bodies = benchBodies();

function load(base: string, opts: { seconds?: number; amount?: number; offset?: number }): Promise<CannonResult> {
  let next = opts.offset ?? 0;
  return autocannon({
    url: base,
    connections: CONNECTIONS,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }),
    requests: [{
      method: 'POST',
      path: '/api/ask',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req: CannonRequest) => ({ ...req, body: bodies[next++ % bodies.length] }),
    }],
  });
}

function checkedLoad(what: string, r: CannonResult): CannonResult {
  if (r.non2xx || r.errors || r.timeouts) throw new Error(`${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  return r;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function service(segmenter: SegmenterName, dir: string): Promise<RunningProcess> {
  return startListening(startScript.script, { ...startScript.env, ...SERVICE_ENV, SEGMENTER: segmenter, DB_PATH: join(dir, `${segmenter}-${Date.now()}.db`) }, '/healthz', 30_000, startScript.nodeArgs);
}

interface StartFigures { readyMs: number; readyRuns: number[]; rssAfter10k: number }

/** Ready time (median of STARTS starts), then 10,000 questions over HTTP and the resident memory. */
async function startAndMemory(segmenter: SegmenterName, dir: string): Promise<StartFigures> {
  const readyRuns: number[] = [];
  let svc: RunningProcess | undefined;
  for (let i = 0; i < STARTS; i++) {
    await svc?.stop();
    svc = await service(segmenter, dir);
    readyRuns.push(svc.readyMs);
  }
  const running = svc!;
  checkedLoad(`${segmenter} memory`, await load(running.base, { amount: 10_000 }));
  const rssAfter10k = rssMb(running.child.pid!);
  await running.stop();
  return { readyMs: median(readyRuns), readyRuns, rssAfter10k };
}

interface HttpFigures { ask: CannonResult[]; bare: CannonResult[]; engine: EngineFigures[]; engineAsStarted: EngineFigures[] }

/**
 * Alternating runs against the service, the bare route and the engine in process (the same
 * bodies, no HTTP, no SQLite), each after a warm-up: the ratios compare runs a minute apart.
 */
async function throughput(dir: string): Promise<HttpFigures> {
  const svc = await service(DEFAULT_SEGMENTER, dir);
  const bare = await startListening('dist/scripts/bench-bare-server.js', { LOG_LEVEL: SERVICE_ENV.LOG_LEVEL }, '/healthz');
  const out: HttpFigures = { ask: [], bare: [], engine: [], engineAsStarted: [] };
  try {
    await load(svc.base, { seconds: 2 });
    await load(bare.base, { seconds: 2 });
    for (let round = 0; round < 2; round++) {
      const order = round === 0 ? (['bare', 'ask', 'engine', 'engineAsStarted'] as const) : (['engineAsStarted', 'engine', 'ask', 'bare'] as const);
      for (const which of order) {
        if (which === 'engine' || which === 'engineAsStarted') {
          // The same engine also with the memory settings npm start gives the service (its young
          // generation of 2 MB costs the engine more GC): what the engine costs inside the service.
          const [nodeArgs, env] = which === 'engine' ? [[], {}] : [startScript.nodeArgs, startScript.env];
          out[which].push(await runJson<EngineFigures>('dist/scripts/bench-engine.js', ['--seconds', String(LOAD_SECONDS), '--offset', String(round * 7919)], nodeArgs, env));
          continue;
        }
        const server = which === 'ask' ? svc : bare;
        const cpu = cpuSeconds(server.child.pid!);
        const r = checkedLoad(which, await load(server.base, { seconds: LOAD_SECONDS, offset: round * 7919 }));
        out[which].push({ ...r, cpu: cpuSeconds(server.child.pid!) - cpu });
      }
    }
  } finally {
    await svc.stop();
    await bare.stop();
  }
  return out;
}

// ---------------------------------------------------------------- the table

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0))));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - [...s].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0)));
  const line = (r: string[]) => `| ${r.map((cell, c) => pad(cell ?? '', widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const rps = (r: CannonResult) => r['2xx'] / r.duration;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const started = new Date();
  const loadAtStart = loadavg();
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  try {
    log(`${questions.length} questions generated from the labelled set and the intents' examples`);
    const other = SEGMENTER_NAMES.filter((s) => s !== DEFAULT_SEGMENTER);
    const order: SegmenterName[] = [DEFAULT_SEGMENTER, ...other];
    const nlu: Record<string, NluFigures> = {};
    for (const s of order) {
      log(`understanding latency, ${s}`);
      nlu[s] = await runJson<NluFigures>('dist/scripts/bench-nlu.js', ['--segmenter', s]);
    }
    const starts: Record<string, StartFigures> = {};
    for (const s of order) {
      log(`start-up and memory after 10,000 questions, ${s}`);
      starts[s] = await startAndMemory(s, dir);
    }
    log('what start-up loads, a fresh process for each part');
    const parts: [string, string, string[]][] = [
      ['everything main.js imports (before createService)', 'src/main.js', []],
      ['  of which the WeChat channel (wechaty)', 'src/channels/wechat/index.js', []],
      ['  of which the Feishu channel (Lark SDK)', 'src/channels/feishu/index.js', []],
      [`the NLU, imported and loaded (${DEFAULT_SEGMENTER})`, 'src/nlu/index.js', ['--load-nlu']],
    ];
    const imports: ImportFigures[] = [];
    for (const [, module, extra] of parts) imports.push(await runJson<ImportFigures>('dist/scripts/bench-imports.js', [module, ...extra]));
    log(`HTTP load: /api/ask and the bare route, ${CONNECTIONS} connections, 2 × ${LOAD_SECONDS} s each`);
    const http = await throughput(dir);
    log('eligibility dialogs in SQLite and in memory');
    const dialog = await runJson<DialogFigures>('dist/scripts/bench-dialog.js', ['--users', QUICK ? '100' : '300']);
    log(`memory over ${fmt(GROWTH_QUESTIONS)} questions (in process, live heap after GC)`);
    const growth = await runJson<GrowthSample[]>('dist/scripts/bench-growth.js', ['--questions', String(GROWTH_QUESTIONS)], ['--expose-gc']);

    const d = DEFAULT_SEGMENTER;
    const [a, b] = order;
    const col = (f: (s: SegmenterName) => string) => [f(a), f(b)];
    const askRps = median(http.ask.map(rps));
    const bareRps = median(http.bare.map(rps));
    const ratio = askRps / bareRps;
    const engineRps = median(http.engine.map((e) => e.turnsPerSecond));
    const engineRatio = askRps / engineRps;
    // CPU per answer: what each costs whatever else the machine runs at the same time.
    const cpuUs = (rs: CannonResult[]) => median(rs.map((r) => (r.cpu! * 1e6) / r['2xx']));
    const askCpu = cpuUs(http.ask);
    const bareCpu = cpuUs(http.bare);
    const engineCpu = median(http.engine.map((e) => (e.cpuSeconds * 1e6) / e.turns));
    const startedRps = median(http.engineAsStarted.map((e) => e.turnsPerSecond));
    const startedCpu = median(http.engineAsStarted.map((e) => (e.cpuSeconds * 1e6) / e.turns));
    const lat = (rs: CannonResult[]) => `${fmt(median(rs.map((r) => r.latency.p50)))} / ${fmt(median(rs.map((r) => r.latency.p99)))} ms`;
    const first = growth[0];
    const last = growth[growth.length - 1];
    const heapGrew = last.heapMb - first.heapMb;
    const signed = (n: number) => `${n >= 0 ? '+' : ''}${fmt(n, 1)}`;
    const p99ok = nlu[d].parse.p99 < 1000;

    const rows: string[][] = [
      ['measure', `${a}${a === d ? ' (default)' : ''}`, `${b}${b === d ? ' (default)' : ''}`, 'target', 'verdict'],
      [`understanding p50 (nlu.parse, ${fmt(questions.length)} questions × 5)`, ...col((s) => `${fmt(nlu[s].parse.p50, 1)} µs`), '', ''],
      ['understanding p99', ...col((s) => `${fmt(nlu[s].parse.p99, 1)} µs`), '< 1,000 µs (default)', verdict(p99ok)],
      ['understanding p50 / p99, each question\'s fastest of 5 (no other load)', ...col((s) => `${fmt(nlu[s].parseBest.p50, 1)} / ${fmt(nlu[s].parseBest.p99, 1)} µs`), '< 1,000 µs (default)', verdict(nlu[d].parseBest.p99 < 1000)],
      ['raw segmentation p50 / p99 (the floor)', ...col((s) => `${fmt(nlu[s].cut.p50, 1)} / ${fmt(nlu[s].cut.p99, 1)} µs`), '', ''],
      ['NLU load in process (dictionaries, models)', ...col((s) => `${fmt(nlu[s].loadMs)} ms`), '', ''],
      [`ready: spawn ${startScript.label} → /healthz 200 (median of ${STARTS})`, ...col((s) => `${fmt(starts[s].readyMs)} ms`), '< 800 ms (default)', verdict(starts[d].readyMs < 800)],
      ['resident memory after 10,000 questions', ...col((s) => `${fmt(starts[s].rssAfter10k)} MB`), '< 150 MB (default)', verdict(starts[d].rssAfter10k < 150)],
      ...parts.map(([label], i) => [`start-up cost: ${label}`, `${fmt(imports[i].ms)} ms, +${fmt(imports[i].rssMb)} MB`, '', '', '']),
      [`live heap after GC, ${fmt(first.questions)} → ${fmt(last.questions)} questions (service in process, inject)`, `${fmt(first.heapMb, 1)} → ${fmt(last.heapMb, 1)} MB (${signed(heapGrew)})`, '', 'no growth (< +1 MB)', verdict(heapGrew < 1)],
      [`POST /api/ask, ${CONNECTIONS} connections (median of 2 × ${LOAD_SECONDS} s)`, `${fmt(askRps)} req/s (${fmt(1e6 / askRps)} µs each)`, '', '', ''],
      ['bare fastify route, same bodies, same logger', `${fmt(bareRps)} req/s (${fmt(1e6 / bareRps)} µs each)`, '', '', ''],
      [`dialog engine in process, same questions, state in memory (median of 2 × ${LOAD_SECONDS} s)`, `${fmt(engineRps)} turns/s (${fmt(1e6 / engineRps)} µs each)`, '', '', ''],
      ['/api/ask ÷ engine in process (the limit)', `${fmt(engineRatio, 2)}×`, '', '≥ 0.50×', verdict(engineRatio >= 0.5)],
      ['/api/ask ÷ bare route', `${fmt(ratio, 2)}×`, '', '≥ 0.15×', verdict(ratio >= 0.15)],
      ['CPU per answer: /api/ask / bare route / engine in process', `${fmt(askCpu)} / ${fmt(bareCpu)} / ${fmt(engineCpu)} µs`, '', '', ''],
      ['  the same ratios by CPU: /api/ask ÷ engine, /api/ask ÷ bare route', `${fmt(engineCpu / askCpu, 2)}×, ${fmt(bareCpu / askCpu, 2)}×`, '', '≥ 0.50×, ≥ 0.15×', verdict(engineCpu / askCpu >= 0.5 && bareCpu / askCpu >= 0.15)],
      [`dialog engine in process with npm start's memory settings (median of 2 × ${LOAD_SECONDS} s)`, `${fmt(startedRps)} turns/s (${fmt(1e6 / startedRps)} µs each), ${fmt(startedCpu)} µs CPU`, '', '', ''],
      ['  /api/ask ÷ that engine, by requests and by CPU (what HTTP, SQLite and logging add)', `${fmt(askRps / startedRps, 2)}×, ${fmt(startedCpu / askCpu, 2)}×`, '', '', ''],
      ['latency p50 / p99: /api/ask', lat(http.ask), '', '', ''],
      ['latency p50 / p99: bare route', lat(http.bare), '', '', ''],
      [`eligibility-check turns (SQLite ${dialog.journalMode.toUpperCase()}, ${dialog.users} users interleaved)`, `${fmt(dialog.turnsPerSecond)} turns/s`, '', '', ''],
      ['  per turn p50 / p99 (passes of 20 turns, one commit each)', `${fmt(dialog.p50)} / ${fmt(dialog.p99)} µs`, '', '', ''],
      ['the same turns, state in memory, no question log', `${fmt(dialog.memory.turnsPerSecond)} turns/s`, '', '', ''],
      ['  per turn p50 / p99', `${fmt(dialog.memory.p50)} / ${fmt(dialog.memory.p99)} µs`, '', '', ''],
    ];
    const cores = cpus().length;
    const gib = Math.round(totalmem() / 2 ** 30);
    const load = (l: number[]) => l.map((x) => fmt(x, 2)).join(' ');
    console.log(`npm run bench: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cores} cores, ${gib} GiB, Node ${process.version}${QUICK ? ' (--quick)' : ''}`);
    console.log(`machine load (1, 5, 15 min): ${load(loadAtStart)} at the start, ${load(loadavg())} at the end`);
    console.log(`service started as npm start does: ${startScript.label}`);
    console.log(table(rows));
    console.log(`live heap after GC: ${growth.map((g) => `${g.questions / 1000}k ${fmt(g.heapMb, 1)}`).join(', ')} MB`);
    console.log(`ready runs: ${order.map((s) => `${s} ${starts[s].readyRuns.map((x) => fmt(x)).join('/')} ms`).join('; ')}`);
    console.log(`dialogs: ${dialog.completed}/${dialog.users} checks completed, ${fmt(dialog.turns)} turns`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
