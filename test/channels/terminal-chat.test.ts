// Runs the terminal chat as a newcomer would (a real process, stdin a pipe) against a
// throwaway SQLite file, and checks the little formatting it does of its own.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { formatAnswer, isExit } from '../../src/channels/terminal/chat.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'terminal-chat-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function chat(lines: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/channels/terminal/chat.ts'], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`terminal chat did not exit within 25 s\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

// The greeting may be reworded in intents/replies.yaml; its text up to the first placeholder is what we expect.
const greetingTemplate = (parseYaml(readFileSync(join(root, 'intents', 'replies.yaml'), 'utf8')) as { greeting: string }).greeting;
const greetingStart = greetingTemplate.split('{')[0];

describe('terminal chat over a pipe', () => {
  it('answers each line, then exits 0 at the end of input', async () => {
    const dbPath = join(tmp, 'two-lines', 'bot.db');
    const run = await chat(['你好', '', '有哪些措施'], { DB_PATH: dbPath });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('退出');
    expect(run.stdout).toContain(`你> 你好\n${greetingStart}`);
    // The list answer names the measures by their titles from the policy document.
    const list = run.stdout.slice(run.stdout.indexOf('你> 有哪些措施'));
    expect(list).toContain('建立梯度培育体系');
    expect(list).toContain('加强要素保障');
    // Two questions, two echoes: the empty line was ignored, not answered.
    expect(run.stdout.match(/^你> /gm)).toHaveLength(2);
    // Same environment config as the service: the SQLite file is created where DB_PATH says.
    expect(existsSync(dbPath)).toBe(true);
  });

  it('keeps the dialog going across lines and stops at "退出"', async () => {
    const run = await chat(['我们能享受哪些政策？', '国家级小巨人', '退出', '有哪些措施'], { DB_PATH: join(tmp, 'dialog', 'bot.db') });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('首次'); // the pending question after the tier was given
    expect(run.stdout).not.toContain('你> 有哪些措施');
    expect(run.stdout.trimEnd().endsWith('再见！')).toBe(true);
  });

  it('stops with one clear line and exit code 1 on a bad setting', async () => {
    const run = await chat(['你好'], { DB_PATH: join(tmp, 'bad', 'bot.db'), SEGMENTER: 'no-such-segmenter' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('SEGMENTER');
  });
});

describe('formatAnswer', () => {
  it('prints the choices as a hint line when the reply does not already show them', () => {
    const text = formatAnswer({ reply: '请选择', actions: [{ label: '是', text: '是' }, { label: '否', text: '不是' }] });
    expect(text).toBe('请选择\n可回复：是 / 不是');
  });

  it('does not repeat a hint the reply already carries', () => {
    const reply = '这是贵企业首次获得该认定吗？\n（可回复：是 / 不是 / 不清楚）';
    expect(formatAnswer({ reply, actions: [{ label: '是', text: '是' }] })).toBe(reply);
  });

  it('prints the reply alone when there are no actions', () => {
    expect(formatAnswer({ reply: '您好' })).toBe('您好');
  });

  it('knows the exit words', () => {
    expect(['退出', 'exit', ' EXIT ', 'quit'].every(isExit)).toBe(true);
    expect(isExit('退出测评')).toBe(false);
  });
});
