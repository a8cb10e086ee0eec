import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { projectRoot } from './load.js';

// The YAML parser is loaded only when a file has no compiled JSON (about 50 ms of a start).
const require = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (require('yaml') as typeof import('yaml')).parse(text);

/**
 * YAML stays the source people edit; the build (`npm run build`) also stores each data file
 * as JSON, named by a hash of the YAML text, because parsing the YAML costs about twenty times
 * more at start than reading JSON. A file edited after the build has another hash and is
 * parsed from YAML as before, so the JSON can never be stale.
 */
export function compiledDataDir(root = projectRoot()): string {
  return join(root, 'dist', 'data');
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** The value of a YAML text, from its compiled JSON when the build made one. */
export function parseYamlText(text: string, dir = compiledDataDir()): unknown {
  let json: string | undefined;
  try {
    json = readFileSync(join(dir, `${digest(text)}.json`), 'utf8');
  } catch {
    return parseYaml(text);
  }
  return JSON.parse(json);
}

/** readFileSync + parse, through the compiled JSON when there is one. */
export function readYamlFile(file: string): unknown {
  return parseYamlText(readFileSync(file, 'utf8'));
}

/** Stores the JSON of a YAML text (the build); false when JSON cannot hold its value exactly. */
export function compileYamlText(text: string, dir = compiledDataDir()): boolean {
  const value: unknown = parseYaml(text);
  const json = JSON.stringify(value);
  if (json === undefined || !isDeepStrictEqual(JSON.parse(json), value)) return false;
  const file = join(dir, `${digest(text)}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, json);
  renameSync(`${file}.tmp`, file);
  return true;
}
