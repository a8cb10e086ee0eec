// Part of `npm run build`, after tsc: what start-up would otherwise redo in every process.
// - every YAML data file (policy/documents, intents) also as JSON, in dist/data (policy/yaml-file.ts);
// - the intent model of each policy document with the default segmenter, trained once, in
//   dist/nlu-models (src/nlu/model-cache.ts).
// Both are named by hashes of their inputs: an edit after the build is simply not found there.
//   node dist/scripts/compile-data.js
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compileYamlText, compiledDataDir, loadPolicyDocuments, projectRoot } from '../policy/index.js';
import { DEFAULT_SEGMENTER, loadNlu } from '../src/nlu/index.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(e.name) ? [path] : [];
  });
}

const root = projectRoot();
const started = performance.now();
// Old hashes would only accumulate.
rmSync(compiledDataDir(root), { recursive: true, force: true });
const modelsDir = join(root, 'dist', 'nlu-models');
rmSync(modelsDir, { recursive: true, force: true });
let compiled = 0;
for (const file of [...yamlFiles(join(root, 'policy', 'documents')), ...yamlFiles(join(root, 'intents'))]) {
  if (compileYamlText(readFileSync(file, 'utf8'), compiledDataDir(root))) compiled++;
  else process.stderr.write(`compile-data: ${file} kept as YAML only (JSON cannot hold it exactly)\n`);
}
const docs = loadPolicyDocuments(join(root, 'policy', 'documents'));
for (const doc of docs) await loadNlu({ root, doc, segmenter: DEFAULT_SEGMENTER, modelCache: { dir: modelsDir, write: true } });
process.stderr.write(`compile-data: ${compiled} YAML files as JSON, ${docs.length} intent model(s) (${DEFAULT_SEGMENTER}), ${Math.round(performance.now() - started)} ms\n`);
