import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { readConfig } from '../../config.js';
import type { Answer } from '../../core/answer.js';
import type { Turn } from '../../core/turn.js';
import { createService, type Service } from '../../main.js';

// The terminal chat is an entry point like main.ts: it wires the same service (same
// environment, same SQLite file) but feeds it lines from stdin instead of HTTP requests.

const EXIT_WORDS = new Set(['退出', 'exit', 'quit']);
const PROMPT = '你> ';

/** What the terminal prints for one answer: the reply, then the choices if the reply lacks them. */
export function formatAnswer(answer: Pick<Answer, 'reply' | 'actions'>): string {
  const lines = [answer.reply];
  // Dialog questions already end with their own "（可回复：…）"; saying it twice is noise.
  if (answer.actions?.length && !answer.reply.includes('可回复')) {
    lines.push(`可回复：${answer.actions.map((a) => a.text).join(' / ')}`);
  }
  return lines.join('\n');
}

export function isExit(line: string): boolean {
  return EXIT_WORDS.has(line.trim().toLowerCase());
}

function localUser(): string {
  try {
    return userInfo().username || 'terminal';
  } catch {
    // No passwd entry (some containers): any stable name will do.
    return 'terminal';
  }
}

async function run(): Promise<void> {
  // Quiet by default: fastify's info logs would interleave with the conversation.
  const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' };
  let service: Service;
  try {
    readConfig(env);
    service = await createService(env);
  } catch (e) {
    console.error(`policy-bot chat: cannot start: ${(e as Error).message}`);
    process.exitCode = 1;
    return;
  }

  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive, prompt: PROMPT });
  const user = localUser();
  const say = (text: string) => process.stdout.write(`${text}\n`);
  let closed = false;

  say(`福州市专精特新政策助手（终端对话）。已加载《${service.doc.title}》（${service.doc.status}）。`);
  say('直接用中文提问，例如“小巨人配套奖励多少？”“我们企业能享受哪些政策？”；输入“退出”或按 Ctrl-D 结束。');
  say('');
  if (interactive) rl.prompt();

  // Lines are answered in order, each after the commit that holds its turn (group commit).
  let answering: Promise<void> = Promise.resolve();
  let exited = false;
  rl.on('line', (line) => {
    answering = answering.then(() => answerLine(line));
  });

  async function answerLine(line: string): Promise<void> {
    if (closed || exited) return;
    const text = line.trim();
    if (!text) {
      if (interactive) rl.prompt();
      return;
    }
    if (isExit(text)) {
      exited = true;
      rl.close();
      return;
    }
    // A piped transcript shows the question too, as a terminal would have echoed it.
    if (!interactive) say(`${PROMPT}${text}`);
    const turn: Turn = { channel: 'terminal', chat: 'terminal', user, text, at: Date.now(), mentioned: true };
    try {
      const answer = service.engine.handle(turn);
      await service.engine.committed?.();
      say(formatAnswer(answer));
    } catch (e) {
      console.error(`抱歉，处理这条消息时出错了：${(e as Error).message}`);
    }
    say('');
    if (interactive) rl.prompt();
  }

  rl.on('SIGINT', () => rl.close());
  process.once('SIGTERM', () => rl.close());

  rl.once('close', async () => {
    await answering;
    closed = true;
    if (interactive) say('');
    say('再见！');
    service.close().catch((e: Error) => {
      console.error(`policy-bot chat: error while closing: ${e.message}`);
      process.exitCode = 1;
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void run();
