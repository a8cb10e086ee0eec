// The built service as a real process, for the tests that need signals, exit codes and the
// log output: `node dist/src/main.js` on a free loopback port with its own DB_PATH.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

/**
 * Compiles once per test run (`tsc -p tsconfig.build.json`, incremental). Test files run in
 * parallel forks, so a lock directory keeps two compilers from writing dist/ at once.
 */
let built = false;
export async function ensureBuilt(): Promise<void> {
  if (built) return;
  const lock = join(tmpdir(), `policy-bot-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  for (const started = Date.now(); ;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another fork is compiling; a lock older than 3 minutes is left over from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 180_000) throw new Error(`build lock ${lock} held too long`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    // tsc emits even with type errors (npm test reports those first); no output at all is fatal.
    if (!existsSync(MAIN)) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
    built = true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  base: string;
  /** Everything the process wrote, stdout and stderr interleaved as received. */
  output(): string;
  /** Resolves with the exit code, or the signal name when killed by one. */
  exited: Promise<number | string>;
}

/** Starts the built service and waits for GET /healthz to answer 200. */
export async function startService(env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    // Only what the service needs: no inherited LOG_LEVEL, channel credentials or tokens.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`service exited before ready:\n${out.slice(-2000)}`);
    const status = await get(`${base}/healthz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`service not ready in ${timeoutMs} ms:\n${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, base, output: () => out, exited };
}

export interface HttpResult {
  status: number;
  body: string;
}

/** A tiny HTTP client with the error codes the fault test needs (ECONNREFUSED vs a reset). */
export function send(url: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; agent?: Agent } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(url, {
      method: options.method ?? (payload ? 'POST' : 'GET'),
      agent: options.agent ?? false,
      headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}), ...options.headers },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const get = (url: string) => send(url);
