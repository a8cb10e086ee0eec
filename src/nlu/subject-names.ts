import type { SubjectKind } from './subjects.js';

// Subjects named one by one rather than counted: lettered enterprises ("a公司", "甲"), enterprises
// and clusters named by their district ("马尾的厂", "长乐").

// "a公司…b公司…", "甲企业…乙企业…": subjects named one by one.
// "a首次小巨人；b是…", "b和c都是…", "a省专精特新…" (letters standing alone before what is said of them) too; "1号厂…2号厂…".
// "子公司（晋安）…母公司（台江）…", "我司…兄弟公司…", "子公司a…子公司b…", "老大…老二…": enterprises named by how they are related.
/** Another company of the same group, by how it is related. */
export const RELATED_COMPANY = '(?:母公司|子公司|兄弟(?:公司|企业|单位|厂)|分公司)';
// ("我这边…他那边…": the asker's firm and the other one, by where they stand.)
const RELATIONAL = `(?:${RELATED_COMPANY}[a-d甲乙丙丁]?|我司|我们(?:公司|厂)?|本公司|咱们?(?:公司|厂)?|老[大二三四]|(?:我|我们|阮)这边|(?:他|他们|她|伊)那边)`;
export const RELATIONAL_NAME = new RegExp(`^${RELATIONAL}$`);
// Only at the start of a clause (or after "它的"): "福州这边的专精特新子公司" describes one enterprise, it does not name one of several.
const NAMED_ONE = new RegExp(`(?<=^|[\\s,，.。;；:：、]|它的|他的|它|其)${RELATIONAL}(?![a-z])|(?<![a-z])[a-d](?:公司|企业|厂|司|家(?![一二两三四五六七八九十\\d]))|[甲乙丙丁](?:公司|企业|厂)|(?<![\\u4e00-\\u9fa5a-z])[甲乙丙丁](?=[:：是首也为\\s\\d小省国今去旧前刚创做搞属在])|(?<![\\d.])[1-9]\\.(?!\\d)|(?<![\\d.])[1-9]号(?:子公司|公司|企业|厂|车间)?|(?<![a-z])[a-d]{2,4}(?=[一二两三四五六七八九十\\d]+\\s*家)|(?<![a-z0-9同])[a-d](?:(?:和|跟|与|、|,)[a-d])*(?=[:：是首有都同也\\s\\d小省国今去旧前刚创])`
  // "a电子 首次小巨人；b纺织…": a letter and a short trade name, said at the start of a clause
  // ("b三级", "a数字化…" are what is said of the letter, not its name).
  + `|(?<=^|[\\s,，;；。:：])[a-d](?![首今去前省国市数技是也都[一二两三四五六七八九十])[\\u4e00-\\u9fa5]{1,4}(?=\\s|[:：])`
  // "公司一…公司二…", "客户1…客户2…": enterprises numbered.
  + `|(?<![\\u4e00-\\u9fa5])(?:公司|企业|客户|厂)[一二三四1-4](?![\\d万家个场号])`, 'g');

// Built once per district list and kind: compiling them was a measurable part of every message.
const namedPatterns = new WeakMap<readonly string[], Map<SubjectKind, RegExp | null>>();

/** Subjects named one by one: lettered enterprises, or the districts that created clusters. */
export function namedPattern(kind: SubjectKind, districts: readonly string[]): RegExp | null {
  let byKind = namedPatterns.get(districts);
  if (!byKind) namedPatterns.set(districts, (byKind = new Map()));
  if (!byKind.has(kind)) byKind.set(kind, buildNamedPattern(kind, districts));
  return byKind.get(kind)!;
}

function buildNamedPattern(kind: SubjectKind, districts: readonly string[]): RegExp | null {
  const places = districts.join('|');
  // "马尾的厂…长乐那个…", "仓山厂": an enterprise named by where it is.
  // "福清的鑫达跟长乐的华锦": a place and a trade name, joined to the next.
  if (kind === 'enterprise' && places) return new RegExp(`${NAMED_ONE.source}|(?:${places})(?:区|县|市)?(?:的|那个|那间|那家|这个)?(?:分公司|子公司|公司|企业|工厂|厂|那个|那间|那家)|(?:${places})(?:区|县|市)?的(?![一二两三四五六七八九十几首省国市小专企公厂那这都也是])[\u4e00-\u9fa5]{2,3}(?=跟|和|与|、|\\s|,|，)`, 'g');
  if (kind === 'enterprise') return NAMED_ONE;
  // "a区…b区…", "甲县…乙县…": places named by a letter.
  if (kind === 'cluster') return new RegExp(`${places ? `(?:${places})(?:区|县|市)?|` : ''}(?<![a-z])[a-d](?:县|区)|[甲乙丙丁](?:县|区)`, 'g');
  return null;
}

/** The subjects a text names, each once, where what is said of them is said. */
export function namesIn(text: string, pattern: RegExp): { at: number; end: number; count: number }[] {
  const all = [...text.matchAll(pattern)] as (RegExpMatchArray & { index: number })[];
  // "台江的企业A": the place and the letter name one subject, by its letter.
  // "1.仓山厂": the item number and the place name one subject, by its place.
  const matches = all.filter((m, i) => !(all[i + 1]?.index === m.index + m[0].length && /^[a-d甲乙丙丁]$/.test(all[i + 1][0]))
    && !(/^[1-9]\.$/.test(m[0]) && all[i + 1] !== undefined && all[i + 1].index - (m.index + m[0].length) <= 1));
  return distinctNames(withoutLeadingList(matches)).map((m) => ({ at: m.index, end: m.index + m[0].length, count: lettersIn(m[0]) }));
}

/**
 * "闽侯 连江 罗源三个县 闽侯创建了国家级…", "台江的企业A 仓山的企业B A是…B是…": names said once
 * each, then each again with what is said of it: the first round is only a roll call.
 */
function withoutLeadingList(matches: (RegExpMatchArray & { index: number })[]): (RegExpMatchArray & { index: number })[] {
  const key = (m: RegExpMatchArray) => m[0].replace(/[区县市]$/, '');
  const byName = new Map<string, (RegExpMatchArray & { index: number })[]>();
  for (const m of matches) byName.set(key(m), [...(byName.get(key(m)) ?? []), m]);
  const all = [...byName.values()];
  if (all.length < 2 || all.some((ms) => ms.length < 2)) return matches;
  const lastFirst = Math.max(...all.map((ms) => ms[0].index));
  const firstSecond = Math.min(...all.map((ms) => ms[1].index));
  return lastFirst < firstSecond ? all.map((ms) => ms[1]).sort((a, b) => a.index - b.index) : matches;
}

export function insideParentheses(text: string, at: number): boolean {
  return text.lastIndexOf('(', at) > text.lastIndexOf(')', at);
}

/** "b和c" names two subjects; every other name one. */
function lettersIn(name: string): number {
  return /^[a-d](?:(?:和|跟|与|、|,)?[a-d])+$/.test(name) ? name.replace(/[^a-d]/g, '').length : 1;
}

/** Each name once: "鼓楼区…鼓楼区那个集群" is one subject. */
function distinctNames(matches: RegExpMatchArray[]): (RegExpMatchArray & { index: number })[] {
  const seen = new Set<string>();
  return matches.filter((m) => !seen.has(m[0].replace(/[区县市]$/, '')) && seen.add(m[0].replace(/[区县市]$/, ''))) as (RegExpMatchArray & { index: number })[];
}
