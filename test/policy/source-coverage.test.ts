// The document data is what the bot quotes; source.txt is what the government published.
// If a sentence of the source is missing from the data, the bot can never say it, so every
// sentence of the source must appear word for word somewhere in the document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_DIR, loadFuzhouDocument } from './load-document.js';

const doc = loadFuzhouDocument();
const source = readFileSync(join(DOCUMENT_DIR, 'source.txt'), 'utf8');

/** Whitespace differences (a stray space after 《, trailing blanks) are not content. */
const squash = (s: string) => s.replace(/\s+/g, '');

/** Source lines, non-empty, with the title (broken over two lines in the source) joined into one. */
function sourceLines(): string[] {
  const lines = source.split(/\r?\n/).map(squash).filter(Boolean);
  const [titleStart, titleEnd, ...rest] = lines;
  return [titleStart + titleEnd, ...rest];
}

/** Every sentence: each line split after 。, keeping the 。 so the check is word for word. */
function sourceSentences(): string[] {
  return sourceLines().flatMap((line) => line.split(/(?<=。)/).filter(Boolean));
}

// The title page's "（征求意见稿）" line is the document's status, which the data keeps as a
// field rather than as text; it is matched against that field in its published form.
const documentTexts = [doc.title, `（${doc.status}）`, doc.preamble, doc.validityText, ...doc.measures.map((m) => m.text)].map(squash);

describe('source coverage', () => {
  const sentences = sourceSentences();

  it('finds a reasonable number of sentences in the source (guards the splitter itself)', () => {
    expect(sentences.length).toBeGreaterThan(40);
    expect(sentences[0]).toBe('福州市支持专精特新中小企业高质量发展的若干措施');
  });

  it.each(sentences.map((s) => [s.slice(0, 30), s]))('source sentence "%s…" appears verbatim in the document data', (_, sentence) => {
    expect(documentTexts.some((t) => t.includes(sentence))).toBe(true);
  });

  it('quotes no measure text that the source does not contain', () => {
    const whole = squash(source);
    for (const m of doc.measures) expect(whole, `measure ${m.id}`).toContain(squash(m.text));
  });
});

describe('document identity', () => {
  it('has every measure id the API contract names', () => {
    const ids = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '2.1', '2.2', '3.1', '3.2', '3.3'];
    for (const id of ids) expect(doc.measure(id), `measure ${id}`).toBeDefined();
    expect(doc.measures).toHaveLength(ids.length);
  });

  it('states its basis, draft status and validity', () => {
    expect(doc.basis).toBe('闽工信规〔2023〕11号');
    expect(doc.status).toBe('征求意见稿');
    expect(doc.validUntil).toBe('2026-12-31');
    expect(doc.validityText).toContain('2026年12月31日');
  });
});
