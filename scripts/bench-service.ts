// Processes the benchmark drives: the built service (`node dist/src/main.js`), the bare
// fastify route, and the child scripts that measure in isolation. Loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../policy/index.js';

export const ROOT = projectRoot();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** 200 from GET url, or false (refused, not yet listening, any other status). */
function ok(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb / 1024;
}

/** CPU seconds a process has used so far (user + system, every thread), from /proc (Linux, 100 ticks a second). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (man 5 proc).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface RunningProcess {
  child: ChildProcess;
  port: number;
  base: string;
  /** From spawn to the first 200 of the ready URL. */
  readyMs: number;
  stop(): Promise<void>;
}

/**
 * How `npm start` runs the service, read from package.json: its environment settings and node
 * flags (the memory settings), so that the bench measures the service as started in production.
 */
export const startScript = ((): { script: string; nodeArgs: string[]; env: Record<string, string>; label: string } => {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const m = /^((?:\w+=\S+\s+)*)(?:exec\s+)?node\s+((?:--\S+\s+)*)(\S+\.js)$/.exec(start.trim());
  if (!m) throw new Error(`package.json: cannot read the start script: ${start}`);
  const env = Object.fromEntries(m[1].trim().split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string]));
  return { script: m[3], nodeArgs: m[2].trim().split(/\s+/).filter(Boolean), env, label: start.trim() };
})();

/** Spawns a node script listening on PORT and waits for readyPath to answer 200. */
export async function startListening(script: string, env: Record<string, string>, readyPath: string, timeoutMs = 30_000, nodeArgs: string[] = []): Promise<RunningProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // Logs go nowhere (the service logs each request at info, as deployed); errors stay visible.
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${stderr.slice(-1000)}`);
    if (await ok(base + readyPath)) break;
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${script} not ready within ${timeoutMs} ms: ${stderr.slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - started;
  return {
    child, port, base, readyMs,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs a child script to completion and parses the JSON it prints last. */
export function runJson<T>(script: string, args: string[], nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, script), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
      } catch (e) {
        reject(new Error(`${script} printed no JSON: ${(e as Error).message}`));
      }
    });
  });
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
