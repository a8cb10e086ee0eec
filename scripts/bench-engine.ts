// Child of `npm run bench`: the limit for POST /api/ask. The dialog engine the service uses
// (every policy document, the validity layer, the default segmenter) answers the same bodies
// as the HTTP load, in process, one after another, with its state in memory and no question
// log: no HTTP, no JSON, no SQLite. What /api/ask adds to this is what the service can still win.
//   node dist/scripts/bench-engine.js [--seconds 8] [--offset 0]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../policy/index.js';
import { systemClock } from '../src/core/ports.js';
import { createDialogEngine } from '../src/dialog/engine.js';
import { loadReplies } from '../src/dialog/replies.js';
import type { ConversationState } from '../src/dialog/state.js';
import { createValidityEngine, loadValidityTexts } from '../src/dialog/validity.js';
import { createPolicyLibrary } from '../src/lifecycle/library.js';
import { loadNlu } from '../src/nlu/index.js';
import { MemoryDialogStateStore } from '../src/store/memory-stores.js';
import { benchBodies } from './bench-questions.js';

export interface EngineFigures { turns: number; seconds: number; turnsPerSecond: number; cpuSeconds: number }

async function main() {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, offset: { type: 'string', default: '0' }, warmup: { type: 'string', default: '2' } } });
  const root = projectRoot();
  const clock = systemClock;
  const policies = await createPolicyLibrary({ dir: join(root, 'policy', 'documents'), clock, loadNlu: (d) => loadNlu({ root, doc: d }) });
  const replies = loadReplies(join(root, 'intents', 'replies.yaml'));
  const states = new MemoryDialogStateStore<ConversationState>();
  const engine = createValidityEngine({
    documents: policies.documents, states, replies, texts: loadValidityTexts(join(root, 'intents', 'validity-replies.yaml')), clock,
    engineFor: (d, store) => createDialogEngine({ doc: d, nlu: policies.nluOf(d), replies, clock, states: store, questions: { record() {} }, idleMs: 3_600_000 }),
  });
  const bodies = benchBodies().map((b) => JSON.parse(b) as { text: string; user: string });
  let next = Number(values.offset);
  const answerFor = (ms: number) => {
    let turns = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    let now = started;
    while (now - started < ms) {
      // In slices, so the clock is read rarely enough not to count.
      for (let i = 0; i < 50; i++, turns++) {
        const { text, user } = bodies[next++ % bodies.length];
        engine.handle({ channel: 'http', chat: `direct:${user}`, user, text, at: Date.now(), mentioned: true });
      }
      now = performance.now();
    }
    const used = process.cpuUsage(cpu);
    return { turns, seconds: (now - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
  answerFor(Number(values.warmup) * 1000);
  const { turns, seconds, cpuSeconds } = answerFor(Number(values.seconds) * 1000);
  const figures: EngineFigures = { turns, seconds, turnsPerSecond: turns / seconds, cpuSeconds };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

await main();
