import { readFileSync } from 'node:fs';
import { evalEngine, ask } from './scripts/nlu-eval.js';
const e = await evalEngine();
const convs = readFileSync(process.argv[2] ?? '/tmp/probe.txt', 'utf8').split(/\n\s*\n/).map((b) => b.split('\n').filter((l) => l.trim()));
for (const c of convs) {
  if (!c.length) continue;
  const answers = ask(e, c);
  c.forEach((t, i) => {
    const a = answers[i];
    console.log(`> ${t}\n  ${a.intent} [${a.measures.join(',')}] ${JSON.stringify((a.awards ?? []).map((w) => [w.measure, w.yuan ?? (w as any).maxYuan]))}\n  ${a.reply.replace(/\n/g, '\n  ').slice(0, process.env.FULL ? 4000 : 400)}`);
  });
  console.log('----');
}
