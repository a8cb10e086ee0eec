// WeChat truncates or refuses a text message past roughly 2,000 characters (no official
// figure; WeCom's own API stops at 2,048 bytes). Long answers (a measure's full text, an
// eligibility result) are cut into several messages at sentence boundaries instead.

/** A sentence ends at 。！？；… (with any closing quote or bracket) or at a line break. */
const SENTENCE = /[^。！？!?；;…\n]*(?:[。！？!?；;…]+[”’"'」』）)】]*|\n+|$)/g;
/** Inside an over-long sentence, a clause ends at a comma-like mark. */
const CLAUSE = /[^，,、：:]*(?:[，,、：:]+|$)/g;

function pieces(text: string, pattern: RegExp): string[] {
  return (text.match(pattern) ?? []).filter((p) => p.length > 0);
}

/** Hard cut by code points, so a surrogate pair is never split. */
function hardCut(text: string, max: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += max) out.push(chars.slice(i, i + max).join(''));
  return out;
}

function units(text: string, max: number): string[] {
  return pieces(text, SENTENCE).flatMap((sentence) =>
    sentence.length <= max ? [sentence] : pieces(sentence, CLAUSE).flatMap((clause) => (clause.length <= max ? [clause] : hardCut(clause, max))),
  );
}

/**
 * Cuts text into messages of at most `max` characters, never inside a sentence unless one
 * sentence alone is longer; a cut falls on a line break when one is in the second half.
 */
export function splitMessage(text: string, max: number): string[] {
  const whole = text.trim();
  if (whole.length <= max) return whole ? [whole] : [];
  const chunks: string[] = [];
  let current = '';
  const flush = (part: string) => {
    const t = part.trim();
    if (t) chunks.push(t);
  };
  for (const unit of units(whole, max)) {
    if (current.length + unit.length <= max) {
      current += unit;
      continue;
    }
    const lineBreak = current.lastIndexOf('\n');
    if (lineBreak > max / 2 && current.length - lineBreak + unit.length <= max) {
      flush(current.slice(0, lineBreak));
      current = current.slice(lineBreak) + unit;
    } else {
      flush(current);
      current = unit;
    }
  }
  flush(current);
  return chunks;
}
