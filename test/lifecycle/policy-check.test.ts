// `npm run policy:check`: a document folder is validated before it is published; every problem
// names the file, the line and what to do. The real document passes; edited copies do not.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPolicyFolder, documentInForce, loadPolicyDocuments, projectRoot } from '../../policy/index.js';
import { nluResolver } from '../../src/lifecycle/check-cli.js';
import { copyWithChange, DRAFT_DIR, FINAL_DIR, policyFolder } from './helpers.js';

const work = policyFolder();
afterAll(() => rmSync(work, { recursive: true, force: true }));
const resolveMeasure = nluResolver();

/** A copy of the draft with one edit, checked; returns the problems as printed. */
async function problemsAfter(name: string, change: (yaml: string) => string, source?: (text: string) => string): Promise<string[]> {
  const dir = join(work, name);
  copyWithChange(DRAFT_DIR, dir, change);
  if (source) writeFileSync(join(dir, 'source.txt'), source(readFileSync(join(dir, 'source.txt'), 'utf8')));
  const result = await checkPolicyFolder(dir, { resolveMeasure });
  return result.problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}: ${p.message} → ${p.fix}`);
}

const lineOf = (dir: string, needle: string) => readFileSync(join(DRAFT_DIR, dir), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('policy:check', () => {
  it('passes the real document and the fictional final version', async () => {
    expect((await checkPolicyFolder(DRAFT_DIR, { resolveMeasure })).problems).toEqual([]);
    expect((await checkPolicyFolder(FINAL_DIR, { resolveMeasure })).problems).toEqual([]);
  });

  it('names the line of a status that is not one of the three', async () => {
    const problems = await problemsAfter('bad-status', (y) => y.replace('status: 征求意见稿', 'status: 草稿'));
    expect(problems).toEqual([`document.yaml:${lineOf('document.yaml', 'status: 征求意见稿')}: field "status": status must be one of: 征求意见稿, 正式印发, 已废止 → write one of 征求意见稿, 正式印发, 已废止`]);
  });

  it('finds a sentence of the source that the data lost, at its line in source.txt', async () => {
    const sentence = '鼓励专精特新企业参评福州市工业企业优秀创新产品。';
    const problems = await problemsAfter('lost-sentence', (y) => y.replace(sentence, ''));
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^source\\.txt:${lineOf('source.txt', sentence)}: sentence not found in document\\.yaml: "鼓励专精特新企业参评福州市工业企业优秀创新产品。" → copy it verbatim`)));
  });

  it('refuses a rule on a field the eligibility check does not know', async () => {
    const problems = await problemsAfter('unknown-field', (y) => y.replace('{ field: industrial, equals: true, unmet: 仅限工信企业 }', '{ field: employees, min: 10, unmet: 员工10人以上 }'));
    expect(problems).toContainEqual(expect.stringMatching(/^document\.yaml:\d+: award provincial-first-recognition: condition field "employees" is unknown to the eligibility check → use one of: tier, firstTime/));
  });

  it('refuses a keyword shared by two unrelated measures', async () => {
    const problems = await problemsAfter('shared-keyword', (y) => y.replace('keywords: [ 知识产权, ', 'keywords: [ 知识产权, 技改, '));
    expect(problems).toContainEqual(expect.stringMatching(/^document\.yaml:\d+: keyword "技改" of measure 5 is also a keyword of measure 3\.1 → keep it in one measure/));
  });

  it('takes a shared keyword only from the measure\'s own text', async () => {
    const problems = await problemsAfter('shared-keyword-not-in-text', (y) => y.replace('sharedKeywords: [ 牵头单位, 牵头组织 ]', 'sharedKeywords: [ 牵头单位, 技改 ]'));
    expect(problems).toEqual([expect.stringContaining('shared keyword "技改" of measure 6 is not in its text')]);
  });

  it('refuses an example question that resolves to another measure', async () => {
    const problems = await problemsAfter('wrong-example', (y) => y.replace('examples: [ "梯度培育体系是啥意思"', 'examples: [ "技改补助需要什么条件"'));
    expect(problems).toContainEqual(expect.stringMatching(/^document\.yaml:\d+: example "技改补助需要什么条件" resolves to measure 3\.1, not 1 → add the distinctive word/));
  });

  it('runs as npm run policy:check <dir>, exiting 1 with the problems', () => {
    let out = '';
    let status = 0;
    try {
      out = execFileSync('npx', ['tsx', 'src/lifecycle/check-cli.ts', join(work, 'bad-status')], { cwd: projectRoot(), encoding: 'utf8' });
    } catch (e) {
      status = (e as { status: number }).status;
      out = (e as { stdout: string }).stdout;
    }
    expect(status).toBe(1);
    expect(out).toContain(`FAIL ${join(work, 'bad-status')}`);
    expect(out).toMatch(/bad-status\/document\.yaml:\d+: field "status"/);
  });
});

describe('which document is in force', () => {
  const both = policyFolder(DRAFT_DIR, FINAL_DIR);
  afterAll(() => rmSync(both, { recursive: true, force: true }));
  const docs = loadPolicyDocuments(both);
  it.each([
    ['2026-12-19', 'fuzhou-zjtx-2024'],
    ['2026-12-20', 'fictional-final-2027'],
    ['2028-12-31', 'fictional-final-2027'],
    ['2029-06-01', 'fictional-final-2027'],
    ['2024-06-01', 'fuzhou-zjtx-2024'],
  ])('on %s: %s', (day, id) => {
    expect(documentInForce(docs, day).id).toBe(id);
  });

  it('answers from a pinned document (POLICY_DOCUMENT) whatever the date', () => {
    expect(documentInForce(docs, '2027-06-01', 'fuzhou-zjtx-2024').id).toBe('fuzhou-zjtx-2024');
  });
});
