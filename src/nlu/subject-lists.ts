import type { FactValue } from '../../policy/index.js';
import { parseNumeral } from './numbers.js';
import { NUM, ONLY, sentenceEnd, type SegmentFacts, type SubjectGroup } from './subject-text.js';

// Enterprises told apart by name or level: a roll call of names, one firm recognised at two
// levels, and list parts that take the level of the part beside them.

// "a b c d e 五家", "甲 乙 丙 丁 四家企业": a roll call of named enterprises, then how many they are.
const ROLL_CALL = new RegExp(`(?<![a-z])([甲乙丙丁戊]{2,5}|[a-f]{2,5}(?![a-z])|[a-f甲乙丙丁戊](?:[\\s、,，和]+[a-f甲乙丙丁戊])+)\\s*${NUM}\\s*(?:家|个|间)`);
// ("省里给甲100万 乙100万": a name right after 给/奖 and before its figure.)
const NAME_RUN = /(?<![a-z\u4e00-\u9fa5])[a-f甲乙丙丁戊](?:[和、,]?[a-f甲乙丙丁戊])*(?![a-z])|(?<=其中)[a-f甲乙丙丁戊](?:[和、,]?[a-f甲乙丙丁戊])*(?![a-z])|(?<=给|奖了?)[a-f甲乙丙丁戊](?![a-z])(?=\s*(?:\d|[一二两三四五六七八九十]))/g;

/**
 * "a b c d e 五家 2025首次省级专精特新 其中e家不是工信企业", "甲 乙 丙 丁 四家…其中甲乙首次…丙丁是复核":
 * the names mentioned again each get what follows them; the names not mentioned again share the rest.
 */
export function rollCallGroups(text: string, factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  const call = ROLL_CALL.exec(text);
  if (!call) return [];
  // "甲乙丙三家": names written together are one character each.
  const names = /^[甲乙丙丁戊]+$/.test(call[1]) ? [...call[1]] : call[1].split(/[\s、,，和]+/).filter(Boolean);
  const count = /^\d/.test(call[2]) ? Number(call[2]) : parseNumeral(call[2]);
  if (count !== names.length || new Set(names).size !== names.length) return [];
  const after = call.index + call[0].length;
  const runs = [...text.slice(after).matchAll(NAME_RUN)]
    .map((m) => ({ at: after + m.index, names: [...m[0].replace(/[和、,]/g, '')] }))
    .filter((r) => r.names.every((n) => names.includes(n)));
  if (!runs.length) return [];
  const groups: SubjectGroup[] = runs.map((r, i) => {
    const segment = text.slice(r.at, runs[i + 1]?.at ?? sentenceEnd(text, r.at)).trim();
    return { kind: 'enterprise' as const, count: r.names.length, text: segment, ...factsOf(segment) };
  });
  const said = new Set(runs.flatMap((r) => r.names));
  const rest = names.filter((n) => !said.has(n)).length;
  // "其中e家不是工信企业": the others are.
  const only = groups.find((g, i) => ONLY.test(text.slice(Math.max(0, runs[i].at - 3), runs[i].at)));
  const negated = only ? Object.fromEntries(Object.entries(only.facts).filter(([, v]) => typeof v === 'boolean').map(([f, v]) => [f, !v])) : {};
  return rest ? [...groups, { kind: 'enterprise', count: rest, text: '', facts: negated, looseYuan: [] }] : groups;
}

// "三家公司：国家级小巨人首次，省奖1百万；省级专精特新首次(2025)；…": a count, a colon, then one
// item per enterprise, each ended by a semicolon or a line break.
const COLON_LIST = new RegExp(`${NUM}\\s*(?:家|间|个)[^：:；;\\n]{0,6}[：:]`);
const ITEM_END = /[；;\n]/;

/** The enterprises of a colon list, when the items are as many as its count. */
export function colonListGroups(text: string, factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  const head = COLON_LIST.exec(text);
  if (!head || !ITEM_END.test(text.slice(head.index))) return [];
  const count = parseNumeral(head[1]);
  const items = text.slice(head.index + head[0].length).split(ITEM_END);
  // The last item ends at its clause: what follows ("，都是制造业。市里共计多少") is said of all.
  const lastEnd = items[items.length - 1].search(/[，,。？?]/);
  if (lastEnd >= 0) items[items.length - 1] = items[items.length - 1].slice(0, lastEnd);
  const parts = items.map((t) => t.trim()).filter(Boolean);
  if (count === undefined || count < 2 || parts.length !== count) return [];
  const groups = parts.map((segment) => ({ kind: 'enterprise' as const, count: 1, text: segment, ...factsOf(segment) }));
  return groups.every((g) => Object.keys(g.facts).length) ? groups : [];
}

// "今年又首次评上小巨人", "下半年又…": a later step of the same enterprise.

// A clause, or (in speech run on without breaks) a stretch that a later step's word begins:
// "…评上省级专精特新然后26年又第一次评上国家级小巨人…".
const STEP_CLAUSE = /(?:然后|后来|接着|随后)?(?:(?!然后|后来|接着|随后)[^,.;!?:，。；！？：\s])+/g;

/**
 * "今年先评上省级专精特新 下半年又首次认定小巨人 两个加起来": one enterprise recognised at two
 * levels, each level a subject of its own (each is paid by its own rule). The second level's
 * clause must say it came later; both must say the enterprise got the level, not ask about it.
 */
export function levelSteps(text: string, levelField: string, stepWords: readonly string[], factsOf: (segment: string) => SegmentFacts, yearField?: string, questionCues: readonly string[] = []): SubjectGroup[] {
  // Reading every clause is costly: only a text with a word of a later step is read.
  if (!stepWords.some((w) => text.includes(w))) return [];
  const clauses = [...text.matchAll(STEP_CLAUSE)].map((c) => ({ index: c.index, words: c[0], facts: factsOf(c[0]).facts }));
  const levelAt = clauses.map((c) => ({ at: c.index, facts: c.facts }))
    .filter((c) => c.facts[levelField] !== undefined && c.facts[levelField] !== 'none');
  const second = levelAt.findIndex((c, i) => i > 0 && c.facts[levelField] !== levelAt[0].facts[levelField]);
  // The step word leads the second level's clause, after a few words at most ("下半年又…", "2026年又…");
  // or the clause starts with a later year than the first level's ("同一家企业 2025年…省级 2026年…小巨人").
  const leads = (words: string) => stepWords.some((w) => { const i = words.indexOf(w); return i >= 0 && i <= 6; });
  const yearOf = (c: { facts: Record<string, FactValue> }) => (yearField ? c.facts[yearField] as number | undefined : undefined);
  const laterYear = (i: number) => { const a = yearOf(levelAt[0]); const b = yearOf(levelAt[i]); return a !== undefined && b !== undefined && b > a; };
  if (second < 1 || !(leads(clauses.find((c) => c.index === levelAt[second].at)!.words) || laterYear(second))) return [];
  const got = (facts: Record<string, FactValue>) => Object.keys(facts).some((f) => f !== levelField);
  const first = text.slice(0, levelAt[second].at).trim();
  // The second level's words run to its last clause that says something ("省奖60万"), not into the question.
  // ("…10万和配套能叠加吗": a clause that asks names the award, it gives no fact.)
  const saying = clauses.filter((c) => c.index >= levelAt[second].at && Object.keys(c.facts).length && (c.index === levelAt[second].at || !questionCues.some((w) => c.words.includes(w))));
  const last = saying.at(-1)!;
  const then = text.slice(levelAt[second].at, last.index + last.words.length).trim();
  const parts = [first, then].map((segment) => ({ kind: 'enterprise' as const, count: 1, text: segment, ...factsOf(segment) }));
  return parts.every((p) => got(p.facts)) ? parts : [];
}

const SIBLING = /^\s*(?:另外|另|其余|剩下|剩余|还有|其他)/;
const BARE_YEAR = /^\s*(?:[a-f](?![a-z])|[甲乙丙丁戊]|[1-9]号)\s*(?:是|也是)?\s*(今年|去年|前年|大前年|\d{4}年|\d{2}年)(?:的|评的|评上的)?(?=\s|$|[,，。;；])/;
// "两家25年首次省专精特新 一家26年首次": a part of a list that starts with its count or its name,
// or says it is like the one before ("今年又认定2家").
const LIST_PART = /^\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:家|间)|^\s*(?:[a-f](?![a-z])|[甲乙丙丁戊]|[1-9]号)|又|同样/;

/**
 * "5家是2024年评上的省级专精特新 另外2家是2025年首次评上的", "a是2024年评的省专精特新 b和c是2025年":
 * a part that names no level and says only what an enterprise's profile holds is at the level of
 * the part it is set beside.
 */
export function withSiblingLevels(
  groups: SubjectGroup[], levelField: string, namesLevel: (text: string) => boolean, isProfileField: (field: string) => boolean,
  factsOf?: (segment: string) => SegmentFacts,
): SubjectGroup[] {
  const out: SubjectGroup[] = [];
  for (const [i, g] of groups.entries()) out.push(withSiblingLevel(g, i, out[i - 1]));
  return out;

  function withSiblingLevel(g: SubjectGroup, i: number, before: SubjectGroup | undefined): SubjectGroup {
    if (i === 0 || !before || g.facts[levelField] !== undefined || !(SIBLING.test(g.text) || LIST_PART.test(g.text)) || before.facts[levelField] === undefined) return g;
    // "a今年首次评上省级专精特新 b去年 c前年": a name and a year only, the year of the same recognition.
    const year = BARE_YEAR.exec(g.text);
    if (year && factsOf && !Object.keys(g.facts).length) {
      const said = factsOf(`${year[1]}认定`).facts;
      const first: Record<string, FactValue> = before.facts.firstTime !== undefined ? { firstTime: before.facts.firstTime } : {};
      return Object.keys(said).length ? { ...g, facts: { ...first, ...said, [levelField]: before.facts[levelField] } } : g;
    }
    const fields = Object.keys(g.facts);
    if (namesLevel(g.text) || !fields.length || !fields.every(isProfileField)) return g;
    return { ...g, facts: { [levelField]: before.facts[levelField], ...g.facts } };
  }
}
