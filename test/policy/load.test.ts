// Policy documents are data edited by people; a mistake must stop loading with a message
// that says which file and which field, and a new document must need no code change.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadPolicyDocument, loadPolicyDocuments, PolicyLoadError, selectPolicyDocument } from '../../policy/index.js';
import { DOCUMENT_DIR } from './load-document.js';

const tempDirs: string[] = [];
afterEach(() => {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh documents folder holding a copy of the real document as <name>/. */
function copyDocument(name = 'fuzhou-zjtx-2024', root = mkdtempSync(join(tmpdir(), 'policy-docs-'))) {
  if (!tempDirs.includes(root)) tempDirs.push(root);
  cpSync(DOCUMENT_DIR, join(root, name), { recursive: true });
  return { root, file: join(root, name, 'document.yaml') };
}

type DocumentYaml = Record<string, any>;
function editDocument(file: string, edit: (data: DocumentYaml) => void): void {
  const data = parseYaml(readFileSync(file, 'utf8')) as DocumentYaml;
  edit(data);
  writeFileSync(file, stringifyYaml(data));
}

function loadError(file: string): PolicyLoadError {
  try {
    loadPolicyDocument(file);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyLoadError);
    return e as PolicyLoadError;
  }
  throw new Error(`expected ${file} to fail loading`);
}

describe('loadPolicyDocument rejects a broken document', () => {
  it('loads the untouched copy (so the failures below are caused by the edits)', () => {
    const { file } = copyDocument();
    expect(loadPolicyDocument(file).measures).toHaveLength(15);
  });

  it('names the file and the field when an award percent is a string', () => {
    const { file } = copyDocument();
    let index = -1;
    editDocument(file, (d) => {
      index = d.awards.findIndex((a: DocumentYaml) => a.id === 'little-giant-matching');
      d.awards[index].amount.percent = '50';
    });
    const { message } = loadError(file);
    expect(message).toContain(file);
    expect(message).toContain(`awards.${index}.amount.percent`);
  });

  it('names the file and the field when a condition uses an undeclared field', () => {
    const { file } = copyDocument();
    editDocument(file, (d) => {
      d.awards.find((a: DocumentYaml) => a.id === 'tech-upgrade').when[1].field = 'techInvestmnet';
    });
    const { message } = loadError(file);
    expect(message).toContain(file);
    expect(message).toContain('techInvestmnet');
    expect(message).toContain('tech-upgrade');
  });

  it('names the file and the field when a measure has no text', () => {
    const { file } = copyDocument();
    editDocument(file, (d) => {
      delete d.measures.find((m: DocumentYaml) => m.id === '3.1').text;
    });
    const { message } = loadError(file);
    expect(message).toContain(file);
    expect(message).toMatch(/measures\.\d+\.text/);
  });
});

describe('several documents', () => {
  it('loads a second document folder next to the first and selects by id', () => {
    const { root } = copyDocument();
    const second = copyDocument('fuzhou-zjtx-2027', root);
    editDocument(second.file, (d) => {
      d.id = 'fuzhou-zjtx-2027';
      d.validUntil = '2029-12-31';
    });

    const docs = loadPolicyDocuments(root);
    expect(docs.map((d) => d.id).sort()).toEqual(['fuzhou-zjtx-2024', 'fuzhou-zjtx-2027']);
    expect(selectPolicyDocument(docs, 'fuzhou-zjtx-2024').id).toBe('fuzhou-zjtx-2024');
    // Without a name the service answers from the document valid the longest.
    expect(selectPolicyDocument(docs).id).toBe('fuzhou-zjtx-2027');
    expect(() => selectPolicyDocument(docs, 'nonexistent')).toThrow(PolicyLoadError);
  });

  it('refuses two documents with the same id', () => {
    const { root } = copyDocument();
    copyDocument('a-copy', root);
    expect(() => loadPolicyDocuments(root)).toThrow(/share the id/);
  });
});
