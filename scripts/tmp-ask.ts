import { join } from 'node:path';
import { loadNlu } from '../src/nlu/index.js';
import { createDialogEngine } from '../src/dialog/engine.js';
import { loadReplies } from '../src/dialog/replies.js';
import { MemoryDialogStateStore, MemoryQuestionLog } from '../src/store/memory-stores.js';
const nlu = await loadNlu({});
const engine = createDialogEngine({ doc: nlu.doc, nlu, replies: loadReplies(join(process.cwd(), 'intents', 'replies.yaml')), states: new MemoryDialogStateStore(), questions: new MemoryQuestionLog(), clock: { now: () => Date.parse('2026-12-01T04:00:00Z') }, idleMs: 3600_000 });
for (const convo of process.argv.slice(2)) {
  for (const text of convo.split('|')) {
    const p = nlu.parse(text);
    const a = engine.handle({ channel: 'http', chat: 'c', user: convo, text, at: 0, mentioned: true });
    console.log(`> ${text}\n  [${p.intent} ${p.confidence} m=${p.measures} mm=${p.mentionedMeasures}] → ${a.intent} ${a.measures} ${JSON.stringify(a.awards?.map((x) => [x.measure, x.yuan, x.status]))}\n  ${a.reply.replace(/\n/g, '\n  ').slice(0, 600)}`);
  }
}
