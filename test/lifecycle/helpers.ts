import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyDocumentsDir, projectRoot } from '../../policy/index.js';
import type { Service } from '../../src/main.js';

export const DRAFT_DIR = join(policyDocumentsDir(), 'fuzhou-zjtx-2024');
/** A clearly fictional "final version": amounts changed (60%, 20万, 6万/场), in force 2026-12-20 – 2028-12-31. */
export const FINAL_DIR = join(projectRoot(), 'test', 'fixtures', 'policy', 'fictional-final-2027');

/** A service clock the test moves; times are written in Fuzhou time to keep them readable. */
export class TestClock {
  t: number;
  constructor(fuzhou: string) {
    this.t = at(fuzhou);
  }
  now(): number {
    return this.t;
  }
  set(fuzhou: string): void {
    this.t = at(fuzhou);
  }
}

/** "2026-12-31 23:30" in Fuzhou (UTC+8) → epoch ms. */
export function at(fuzhou: string): number {
  return Date.parse(`${fuzhou.replace(' ', 'T')}:00+08:00`);
}

/** A fresh policy folder holding copies of the given document folders. */
export function policyFolder(...docs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'policies-'));
  for (const d of docs) cpSync(d, join(dir, d.split('/').pop()!), { recursive: true });
  return dir;
}

/** Copies a document folder, changing its document.yaml on the way. */
export function copyWithChange(from: string, to: string, change: (yaml: string) => string): void {
  cpSync(from, to, { recursive: true });
  const file = join(to, 'document.yaml');
  writeFileSync(file, change(readFileSync(file, 'utf8')));
}

export async function ask(svc: Service, text: string, user = 'enterprise-a') {
  const res = await svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text, user } });
  if (res.statusCode !== 200) throw new Error(`ask "${text}": ${res.statusCode} ${res.body}`);
  return res.json() as { reply: string; intent: string; measures: string[]; awards?: { measure: string; eligible: boolean; yuan: number | null; status: string; basis: string }[]; dialog?: { slot: string | null; done: boolean } };
}

export async function health(svc: Service) {
  return (await svc.server.inject({ method: 'GET', url: '/healthz' })).json() as {
    policy: string; documents: { document: string; state: string; daysLeft: number; number: string | null }[];
  };
}

export const firstLine = (reply: string) => reply.split('\n')[0];
