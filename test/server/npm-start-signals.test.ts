// What a process supervisor does: start the service with `npm start` and send SIGTERM to that
// pid. npm forwards the signal to its child; the script must make that child node itself
// (`exec`), or Debian's sh sits in between, swallows it, and node is left running, orphaned.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, freePort, get, ROOT } from '../load/service-process.js';
import { until } from '../channels/wechat/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'npm-start-'));
/** node, killed after the test if the signal did not reach it. */
let orphan: number | undefined;

beforeAll(async () => {
  await ensureBuilt();
}, 180_000);

afterAll(() => {
  if (orphan !== undefined && alive(orphan)) process.kill(orphan, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of a process's descendants (Linux /proc). */
function descendantsOf(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Gone already.
  }
  return children.flatMap((c) => [c, ...descendantsOf(c)]);
}

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

it('stops node when the supervisor sends SIGTERM to npm start', async () => {
  const port = await freePort();
  // Built above: the prestart build is skipped (--ignore-scripts skips pre- and post-scripts only).
  const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), HOST: '127.0.0.1', PORT: String(port), DB_PATH: join(dir, 'bot.db') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  npm.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  npm.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  // The pipes close only when every process holding them (npm and node) has exited.
  const closed = new Promise<void>((resolve) => npm.on('close', () => resolve()));
  await until(() => out.includes('Server listening'), 'the service to listen', 60_000);
  expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  const node = descendantsOf(npm.pid!).find((pid) => commandLine(pid).includes('dist/src/main.js'));
  expect(node).toBeDefined();
  orphan = node!;
  const npmExited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));

  npm.kill('SIGTERM');
  await npmExited;
  await until(() => !alive(node!), 'node to stop after npm', 15_000);
  await closed;
  // It stopped the way it does on its own SIGTERM: requests finished, database closed.
  expect(out).toContain('"signal":"SIGTERM"');
  expect(out).toContain('"msg":"stopped"');
  await expect(get(`http://127.0.0.1:${port}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
}, 120_000);
