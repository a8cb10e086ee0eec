// The one real policy document, loaded the way the service loads it.
import { join } from 'node:path';
import { loadPolicyDocument, policyDocumentsDir, type PolicyDocument } from '../../policy/index.js';

export const DOCUMENT_DIR = join(policyDocumentsDir(), 'fuzhou-zjtx-2024');

export function loadFuzhouDocument(): PolicyDocument {
  return loadPolicyDocument(join(DOCUMENT_DIR, 'document.yaml'));
}
