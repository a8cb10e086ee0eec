// Data files stay YAML; the build also stores them as JSON under a hash of the YAML text, which
// start-up reads instead of parsing. An edit after the build must be read from the YAML.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileYamlText, parseYamlText } from '../../policy/yaml-file.js';

const dir = mkdtempSync(join(tmpdir(), 'yaml-file-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('YAML data compiled to JSON at build', () => {
  it('gives the same value from the compiled JSON as from the YAML', () => {
    const text = 'greeting: 您好！\nmeasures:\n  - id: "3.1"\n    amount: 50\n    note: null\n';
    expect(compileYamlText(text, dir)).toBe(true);
    expect(parseYamlText(text, dir)).toEqual({ greeting: '您好！', measures: [{ id: '3.1', amount: 50, note: null }] });
  });

  it('reads an edited file from its YAML, never from the JSON of the version before', () => {
    const own = join(dir, 'edited');
    compileYamlText('percent: 50\n', own);
    // The compiled file of the old text, tampered with: it must not be what an edit reads.
    const [file] = readdirSync(own);
    writeFileSync(join(own, file), '{"percent": 999}');
    expect(parseYamlText('percent: 50\n', own)).toEqual({ percent: 999 });
    expect(parseYamlText('percent: 60\n', own)).toEqual({ percent: 60 });
  });

  it('keeps a file JSON cannot hold exactly as YAML only', () => {
    expect(compileYamlText('limit: .inf\n', dir)).toBe(false);
    expect(parseYamlText('limit: .inf\n', dir)).toEqual({ limit: Infinity });
  });
});
