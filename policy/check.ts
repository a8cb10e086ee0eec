import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { createPolicyDocument, type PolicyDocument } from './document.js';
import { PolicyDocumentSchema, type PolicyDocumentData } from './schema.js';

/** One thing wrong with a document folder: where, what, and what to do about it. */
export interface CheckProblem {
  file: string;
  line: number;
  message: string;
  fix: string;
}

export interface FolderCheck {
  dir: string;
  problems: CheckProblem[];
  /** The document, when its schema and cross references are sound (other checks may still fail). */
  doc?: PolicyDocument;
}

/** Which measure a question resolves to: the NLU, injected so policy/ stays free of it. */
export type MeasureResolver = (doc: PolicyDocument, question: string) => Promise<string | undefined> | string | undefined;

export interface CheckOptions {
  resolveMeasure?: MeasureResolver;
  /** Examples each measure needs (headings with titled paragraphs are exempt). */
  minExamples?: number;
}

export const MIN_EXAMPLES = 3;

export function formatProblem(p: CheckProblem): string {
  return `${p.file}:${p.line}: ${p.message} → ${p.fix}`;
}

/** The document folders under a directory, or the directory itself when it holds document.yaml. */
export function documentFolders(dir: string): string[] {
  if (existsSync(join(dir, 'document.yaml'))) return [dir];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name)).sort();
}

/**
 * Everything `npm run policy:check` verifies of one folder: the schema, cross references, every
 * sentence of the source covered verbatim, keywords unambiguous, and example questions resolving.
 */
export async function checkPolicyFolder(dir: string, options: CheckOptions = {}): Promise<FolderCheck> {
  const file = join(dir, 'document.yaml');
  const problems: CheckProblem[] = [];
  if (!existsSync(file)) {
    return { dir, problems: [{ file, line: 1, message: 'document.yaml is missing', fix: 'create document.yaml in this folder (copy an existing document folder as a template)' }] };
  }
  const text = readFileSync(file, 'utf8');
  // Loaded here, not at start: a service start reads the compiled JSON (policy/yaml-file.ts).
  const yaml = await import('yaml');
  const lineCounter = new yaml.LineCounter();
  const yamlDoc = yaml.parseDocument(text, { lineCounter });
  if (yamlDoc.errors.length) {
    for (const e of yamlDoc.errors) {
      problems.push({ file, line: e.linePos?.[0]?.line ?? 1, message: `YAML syntax: ${e.message.split('\n')[0]}`, fix: 'fix the indentation or quoting at this line' });
    }
    return { dir, problems };
  }
  const at = (path: (string | number)[]) => lineOf(yaml, yamlDoc, lineCounter, path);
  const parsed = PolicyDocumentSchema.safeParse(yamlDoc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      problems.push({ file, line: at(path), message: `field "${path.join('.') || '(document)'}": ${issue.message}`, fix: fixForField(path) });
    }
    return { dir, problems };
  }
  const data = parsed.data;
  problems.push(...referenceProblems(data, file, at));
  const sourceFile = resolve(dir, data.source);
  if (!existsSync(sourceFile)) {
    problems.push({ file, line: at(['source']), message: `source file "${data.source}" does not exist`, fix: 'put the published text beside document.yaml and name it in "source"' });
    return { dir, problems };
  }
  const source = readFileSync(sourceFile, 'utf8');
  problems.push(...coverageProblems(data, source, sourceFile, file, at));
  problems.push(...keywordProblems(data, file, at));
  if (problems.length) return { dir, problems };
  const doc = createPolicyDocument(data, source);
  if (options.resolveMeasure) problems.push(...(await exampleProblems(doc, file, at, options.resolveMeasure, options.minExamples ?? MIN_EXAMPLES)));
  return { dir, problems, doc };
}

/** Checks every folder, and that ids and supersedes agree across them. */
export async function checkPolicyDirectory(dir: string, options: CheckOptions = {}): Promise<FolderCheck[]> {
  const folders = documentFolders(dir);
  const results: FolderCheck[] = [];
  for (const folder of folders) results.push(await checkPolicyFolder(folder, options));
  const docs = results.flatMap((r) => (r.doc ? [r] : []));
  const ids = new Map<string, string>();
  for (const r of docs) {
    const file = join(r.dir, 'document.yaml');
    const other = ids.get(r.doc!.id);
    if (other) r.problems.push({ file, line: 1, message: `id "${r.doc!.id}" is also used by ${other}`, fix: 'give each document its own id' });
    ids.set(r.doc!.id, file);
  }
  const all = new Set(docs.map((r) => r.doc!.id));
  for (const r of docs) {
    const s = r.doc!.supersedes;
    if (s && !all.has(s) && folders.length > 1) {
      r.problems.push({ file: join(r.dir, 'document.yaml'), line: 1, message: `supersedes "${s}", which is not a document here`, fix: `use the id of the document it replaces (one of: ${[...all].join(', ')})` });
    }
  }
  return results;
}

function lineOf({ isMap, isSeq }: typeof import('yaml'), doc: Document, counter: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
    if (n === 0) break;
  }
  const root = doc.contents;
  return root && (isMap(root) || isSeq(root)) && root.range ? counter.linePos(root.range[0]).line : 1;
}

function fixForField(path: (string | number)[]): string {
  const last = String(path[path.length - 1] ?? '');
  if (last === 'status') return 'write one of 征求意见稿, 正式印发, 已废止';
  if (last === 'validFrom' || last === 'validUntil') return 'write the date as YYYY-MM-DD, validFrom on or before validUntil';
  if (last === 'id' && path[0] === 'measures') return 'write the measure id in quotes, e.g. "1" or "2.1"';
  return 'add or correct this field as described in docs/policy-documents.md';
}

type At = (path: (string | number)[]) => number;

function referenceProblems(data: PolicyDocumentData, file: string, at: At): CheckProblem[] {
  const out: CheckProblem[] = [];
  const measureIds = data.measures.map((m) => m.id);
  const fields = new Set([...data.profileFields.map((f) => f.field), ...data.questionFields.map((f) => f.field)]);
  const known = [...fields].join(', ');
  data.measures.forEach((m, i) => {
    if (measureIds.indexOf(m.id) !== i) out.push({ file, line: at(['measures', i, 'id']), message: `measure id "${m.id}" is used twice`, fix: 'give each measure its own id' });
    if (m.parent && !measureIds.includes(m.parent)) out.push({ file, line: at(['measures', i, 'parent']), message: `measure ${m.id}: parent "${m.parent}" does not exist`, fix: `use one of: ${measureIds.join(', ')}` });
    if (!m.parent && !m.ordinal) out.push({ file, line: at(['measures', i]), message: `measure ${m.id} has neither a parent nor an ordinal`, fix: 'add ordinal: 一/二/三… for an article, or parent: for a titled paragraph' });
  });
  data.awards.forEach((r, i) => {
    const measure = data.measures.find((m) => m.id === r.measure);
    if (!measure) out.push({ file, line: at(['awards', i, 'measure']), message: `award ${r.id}: measure "${r.measure}" does not exist`, fix: `use one of: ${measureIds.join(', ')}` });
    else if (!measure.text.includes(r.quote)) out.push({ file, line: at(['awards', i, 'quote']), message: `award ${r.id}: quote is not in the text of measure ${r.measure}`, fix: 'copy the words from the measure text exactly (same punctuation)' });
    r.when.forEach((c, j) => {
      if (!fields.has(c.field)) out.push({ file, line: at(['awards', i, 'when', j]), message: `award ${r.id}: condition field "${c.field}" is unknown to the eligibility check`, fix: `use one of: ${known}, or declare it under profileFields/questionFields` });
    });
    if ('field' in r.amount && !fields.has(r.amount.field)) out.push({ file, line: at(['awards', i, 'amount']), message: `award ${r.id}: amount field "${r.amount.field}" is unknown to the eligibility check`, fix: `use one of: ${known}` });
  });
  if (!data.profileFields.some((f) => f.kind === 'tier')) out.push({ file, line: at(['profileFields']), message: 'no profile field of kind "tier"', fix: 'keep the tier field: the check asks it first' });
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, '');

/** Every sentence of the published text must be somewhere in the data, word for word. */
function coverageProblems(data: PolicyDocumentData, source: string, sourceFile: string, file: string, at: At): CheckProblem[] {
  const texts = [data.title, `（${data.status}）`, data.preamble, data.validityText, ...data.measures.map((m) => m.text)].map(squash);
  const covered = (s: string) => texts.some((t) => t.includes(s));
  const out: CheckProblem[] = [];
  const lines = source.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = squash(lines[i]);
    if (!line || covered(line)) continue;
    // A title broken over two lines of the source is one sentence.
    const next = lines.slice(i + 1).findIndex((l) => squash(l));
    if (next >= 0 && covered(line + squash(lines[i + 1 + next]))) { i += 1 + next; continue; }
    for (const sentence of line.split(/(?<=[。；])/).filter(Boolean)) {
      if (covered(sentence)) continue;
      out.push({
        file: sourceFile, line: i + 1,
        message: `sentence not found in ${basename(file)}: "${sentence.slice(0, 40)}${sentence.length > 40 ? '…' : ''}"`,
        fix: 'copy it verbatim into the text of the measure it belongs to (or the preamble / validityText)',
      });
    }
  }
  const whole = squash(source);
  data.measures.forEach((m, i) => {
    if (!whole.includes(squash(m.text))) out.push({ file, line: at(['measures', i, 'text']), message: `measure ${m.id}: its text is not in ${basename(sourceFile)} word for word`, fix: 'copy the text from the source exactly; do not reword it' });
  });
  return out;
}

/** A keyword in two unrelated measures sends questions to the wrong one. */
function keywordProblems(data: PolicyDocumentData, file: string, at: At): CheckProblem[] {
  const related = (a: string, b: string) => {
    const pa = data.measures.find((m) => m.id === a)?.parent;
    const pb = data.measures.find((m) => m.id === b)?.parent;
    return pa === b || pb === a || (pa !== undefined && pa === pb);
  };
  const owner = new Map<string, string>();
  const out: CheckProblem[] = [];
  data.measures.forEach((m, i) => {
    m.keywords.forEach((k, j) => {
      const other = owner.get(k);
      if (other && other !== m.id && !related(other, m.id)) {
        out.push({ file, line: at(['measures', i, 'keywords', j]), message: `keyword "${k}" of measure ${m.id} is also a keyword of measure ${other}`, fix: 'keep it in one measure, or make it more specific ("技改补助" rather than "补助")' });
      }
      if (!other) owner.set(k, m.id);
    });
  });
  // A shared keyword is in the measure's own text and another measure's keyword: otherwise it is a plain one.
  data.measures.forEach((m, i) => {
    m.sharedKeywords.forEach((k, j) => {
      const where = at(['measures', i, 'sharedKeywords', j]);
      if (!m.text.includes(k)) out.push({ file, line: where, message: `shared keyword "${k}" of measure ${m.id} is not in its text`, fix: 'share only a word the measure\'s own text uses' });
      else if (!owner.has(k)) out.push({ file, line: where, message: `shared keyword "${k}" of measure ${m.id} is no other measure's keyword`, fix: 'move it to keywords' });
    });
  });
  return out;
}

async function exampleProblems(doc: PolicyDocument, file: string, at: At, resolveMeasure: MeasureResolver, min: number): Promise<CheckProblem[]> {
  const out: CheckProblem[] = [];
  const family = (id: string) => {
    const m = doc.measure(id);
    return new Set([id, ...(m?.parent ? [m.parent] : []), ...doc.children(id).map((c) => c.id)]);
  };
  for (const [i, m] of doc.measures.entries()) {
    const heading = doc.children(m.id).length > 0;
    if (!heading && m.examples.length < min) {
      out.push({ file, line: at(['measures', i, 'examples']), message: `measure ${m.id} has ${m.examples.length} example questions, needs at least ${min}`, fix: `add examples: [ …${min} questions people would ask about “${m.title}” ]` });
    }
    for (const [j, q] of m.examples.entries()) {
      const got = await resolveMeasure(doc, q);
      if (!got || !family(m.id).has(got)) {
        out.push({ file, line: at(['measures', i, 'examples', j]), message: `example "${q}" resolves to ${got ? `measure ${got}` : 'no measure'}, not ${m.id}`, fix: 'add the distinctive word of the question to this measure\'s keywords, or reword the example' });
      }
    }
  }
  return out;
}

/** For callers outside a check run: the folder's name, as logs show it. */
export function folderName(dir: string): string {
  return basename(dir) || basename(dirname(dir));
}
