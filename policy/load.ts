import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readYamlFile } from './yaml-file.js';
import type { z } from 'zod';
import { createPolicyDocument, type PolicyDocument } from './document.js';
import { PolicyDocumentSchema, type PolicyDocumentData } from './schema.js';

export class PolicyLoadError extends Error {
  readonly code = 'POLICY_INVALID';
}

/** The folder holding package.json, found from this file so it works from src/ and from dist/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export function policyDocumentsDir(root = projectRoot()): string {
  return join(root, 'policy', 'documents');
}

/** Every document under policy/documents/<name>/document.yaml; a new folder needs no code change. */
export function loadPolicyDocuments(dir = policyDocumentsDir()): PolicyDocument[] {
  const folders = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const docs = folders.map((name) => loadPolicyDocument(join(dir, name, 'document.yaml')));
  if (docs.length === 0) throw new PolicyLoadError(`no policy document found in ${dir}`);
  const ids = docs.map((d) => d.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new PolicyLoadError(`two policy documents share the id "${dup}"`);
  return docs;
}

/** The document the service answers from: the one named, else the one valid the longest. */
export function selectPolicyDocument(docs: PolicyDocument[], id?: string): PolicyDocument {
  if (id) {
    const doc = docs.find((d) => d.id === id);
    if (!doc) throw new PolicyLoadError(`POLICY_DOCUMENT="${id}" is not one of: ${docs.map((d) => d.id).join(', ')}`);
    return doc;
  }
  return [...docs].sort((a, b) => b.validUntil.localeCompare(a.validUntil))[0];
}

export function loadPolicyDocument(file: string): PolicyDocument {
  let raw: unknown;
  try {
    raw = readYamlFile(file);
  } catch (e) {
    throw new PolicyLoadError(`${file}: cannot read YAML: ${(e as Error).message}`);
  }
  const parsed = PolicyDocumentSchema.safeParse(raw);
  if (!parsed.success) throw new PolicyLoadError(`${file}: ${describeIssues(parsed.error)}`);
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length) throw new PolicyLoadError(`${file}: ${problems.join('; ')}`);
  const sourceText = readFileSync(resolve(dirname(file), parsed.data.source), 'utf8');
  return createPolicyDocument(parsed.data, sourceText);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `field "${i.path.join('.')}": ${i.message}`).join('; ');
}

/** What zod cannot see: ids that must point at each other. */
export function crossReferenceProblems(doc: PolicyDocumentData): string[] {
  const problems: string[] = [];
  const measureIds = new Set(doc.measures.map((m) => m.id));
  const fields = new Set([...doc.profileFields.map((f) => f.field), ...doc.questionFields.map((f) => f.field)]);
  if (measureIds.size !== doc.measures.length) problems.push('measure ids are not unique');
  for (const m of doc.measures) {
    if (m.parent && !measureIds.has(m.parent)) problems.push(`measure ${m.id}: parent "${m.parent}" does not exist`);
    if (!m.parent && !m.ordinal) problems.push(`measure ${m.id}: a top-level measure needs an ordinal`);
    for (const q of m.recipients) if (!m.text.includes(q)) problems.push(`measure ${m.id}: recipient "${q}" is not in its text`);
  }
  for (const r of doc.awards) {
    if (!measureIds.has(r.measure)) problems.push(`award ${r.id}: measure "${r.measure}" does not exist`);
    else if (!doc.measures.find((m) => m.id === r.measure)!.text.includes(r.quote)) problems.push(`award ${r.id}: quote is not in the text of measure ${r.measure}`);
    for (const c of r.when) if (!fields.has(c.field)) problems.push(`award ${r.id}: condition field "${c.field}" is not declared`);
    if ('field' in r.amount && !fields.has(r.amount.field)) problems.push(`award ${r.id}: amount field "${r.amount.field}" is not declared`);
  }
  if (!doc.profileFields.some((f) => f.kind === 'tier')) problems.push('profileFields needs a field of kind "tier"');
  return problems;
}
