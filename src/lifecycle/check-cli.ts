// `npm run policy:check [dir]`: validates policy document folders before they are published.
// Exit 0 when every folder passes; 1 with one line per problem (file:line: what → what to do).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkPolicyDirectory, formatProblem, policyDocumentsDir, projectRoot, type PolicyDocument } from '../../policy/index.js';
import { loadNlu, type Nlu } from '../nlu/index.js';

/** The NLU's answer to "which measure is this question about", one NLU per document. */
export function nluResolver(root = projectRoot()) {
  const nlus = new Map<string, Promise<Nlu>>();
  return async (doc: PolicyDocument, question: string) => {
    let nlu = nlus.get(doc.versionTag);
    if (!nlu) nlus.set(doc.versionTag, (nlu = loadNlu({ root, doc })));
    return (await nlu).parse(question).measures[0];
  };
}

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? policyDocumentsDir());
  const results = await checkPolicyDirectory(dir, { resolveMeasure: nluResolver() });
  let failed = 0;
  for (const r of results) {
    if (r.problems.length === 0) {
      console.log(`ok   ${r.dir} (${r.doc!.versionTag}, ${r.doc!.status}, ${r.doc!.validFrom} – ${r.doc!.validUntil})`);
      continue;
    }
    failed++;
    console.log(`FAIL ${r.dir}`);
    for (const p of r.problems) console.log(`  ${formatProblem(p)}`);
  }
  if (results.length === 0) console.log(`no document folder found in ${dir}`);
  process.exit(failed || results.length === 0 ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
