// SIGHUP re-reads the policy folder in the running process: a bad document is refused and
// logged while the old one keeps serving; a good one is taken without a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, get, startService, type ServiceProcess } from '../load/service-process.js';
import { copyWithChange, DRAFT_DIR, FINAL_DIR, policyFolder } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sighup-test-'));
const policies = policyFolder(DRAFT_DIR);
let svc: ServiceProcess;

beforeAll(async () => {
  await ensureBuilt();
  svc = await startService({ DB_PATH: join(tmp, 'bot.db'), POLICY_DIR: policies, LOG_LEVEL: 'info' });
}, 120_000);
afterAll(async () => {
  svc?.child.kill('SIGTERM');
  await svc?.exited;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(policies, { recursive: true, force: true });
});

/** Bounded wait for a log line the process writes in answer to the signal. */
async function logged(what: string, count: number): Promise<void> {
  for (const until = Date.now() + 60_000; Date.now() < until;) {
    if (svc.output().split(what).length - 1 >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no "${what}" in the log:\n${svc.output().slice(-2000)}`);
}

const documents = async () => (JSON.parse((await get(`${svc.base}/healthz`)).body) as { documents: { document: string }[] }).documents.map((d) => d.document);

describe('SIGHUP', () => {
  it('refuses a bad document, logging where it is wrong, and keeps serving the old one', async () => {
    copyWithChange(FINAL_DIR, join(policies, 'broken'), (yaml) => yaml.replace('status: 正式印发', 'status: 定稿'));
    svc.child.kill('SIGHUP');
    await logged('policy reload refused', 1);
    expect(svc.output()).toMatch(/broken\/document\.yaml:\d+: field \\"status\\"/);
    expect(await documents()).toEqual(['fuzhou-zjtx-2024@1']);
  }, 90_000);

  it('takes a good document without a restart', async () => {
    rmSync(join(policies, 'broken'), { recursive: true });
    copyWithChange(FINAL_DIR, join(policies, 'fictional-final-2027'), (yaml) => yaml);
    svc.child.kill('SIGHUP');
    await logged('policy documents reloaded', 1);
    expect((await documents()).sort()).toEqual(['fictional-final-2027@1', 'fuzhou-zjtx-2024@1']);
    expect(svc.child.exitCode).toBeNull();
  }, 90_000);
});
