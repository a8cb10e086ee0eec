import { parseNumeral } from './numbers.js';
import { clauseBounds, NUM, type SegmentFacts, type SubjectGroup } from './subject-text.js';

// Matchmaking events told apart by their figures: parallel lists ("企业分别为35、42、28家") or one
// attendance after another ("32家企业6家银行 … 45家企业2家银行").

// "参会企业分别为35、42、28家，银行分别为6、5、7家", "企业数30/45/28 银行数5/4/6": one event per position.
// "企业依次为30、29、55家", "企业分别四十、三十五、二十家" too; "银行超过5家 2场…" is no list (a count of events follows),
// nor is "那场28家 7家银行" (the last figure counts banks).
const VALUE = '(?:\\d+|[一二两三四五六七八九十百]+)';
const LISTED = new RegExp(`([\\u4e00-\\u9fa5]{1,4}?)(?:数量|数|个数)?(?:分别|依次)?(?:为|是|有|来了|到了|到场|来|到)?\\s*((?:${VALUE}\\s*家?\\s*(?:[,/\\s、]|和|及|与)\\s*)+${VALUE})(?![\\d一二两三四五六七八九十百])(?!\\s*[场次个])(?!\\s*家(?:银行|金融))(?=\\s*家|[^\\u4e00-\\u9fa5]|$)\\s*家?`, 'g');
const LIST_SEPARATOR = /[,/\s、]|和|及|与/;
// "银行均为8家": the same figure for every event.
const SAME_FOR_ALL = new RegExp(`([\\u4e00-\\u9fa5]{1,4}?)(?:均为|均是|都是|都为|每场都是|均超过|都超过|均有|都有|每场都有|各)\\s*(${VALUE})\\s*家`, 'g');
// "每场企业四十家 银行分别来了5家 4家 6家": the same figure for every event, said after 每场.
const SAME_FOR_ALL_LEAD = new RegExp(`(?:每场|各场|每次|每一场)(?:都)?([\\u4e00-\\u9fa5]{1,4}?)(?:都是|都有|均为|都)?\\s*(${VALUE})\\s*家`, 'g');

/** "30家", "三十五": a list item's figure in digits, or '' when it holds none. */
function figureOf(item: string): string {
  const v = item.replace(/家/g, '').trim();
  if (/^\d+$/.test(v)) return v;
  const n = v ? parseNumeral(v) : undefined;
  return n === undefined ? '' : String(n);
}

/** Events given as parallel lists of figures, each read as "35家企业 6家银行" by the caller's extractor. */
export function listedEvents(text: string, factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  const lists = [...text.matchAll(LISTED)].map((m) => ({ noun: m[1], values: m[2].split(LIST_SEPARATOR).map(figureOf).filter((v) => v !== '') }));
  const longest = Math.max(0, ...lists.map((l) => l.values.length));
  if (longest < 2 || lists.some((l) => l.values.length !== longest)) return [];
  const constants = [...text.matchAll(SAME_FOR_ALL), ...text.matchAll(SAME_FOR_ALL_LEAD)].map((m) => ({ noun: m[1], values: Array<string>(longest).fill(figureOf(m[2])) }));
  const all = [...lists, ...constants];
  return Array.from({ length: longest }, (_, i) => {
    const words = all.map((l) => `${l.noun}${l.values[i]}家`).join(" ");
    return { kind: 'event' as const, count: 1, text: `第${i + 1}场（${words}）`, ...factsOf(`对接会${words}`) };
  });
}

// "32家企业6家银行 … 45家企业2家银行": each attendance said is one event, whether or not the events were counted.
const FIGURE = '(\\d+|[一二两三四五六七八九十百千零]+)';
// ("企业35银行6", "企业40/银行6", "参会企业55 银行机构6": the figure after its noun, 家 left out.)
// ("企业四十家": a Chinese figure is whole only where no digit of it follows.)
const NO_UNIT = '(?![\\d.年月日号万元个%家间一二两三四五六七八九十百千零])';
const ATTENDANCE = new RegExp(`(?<!(?:银行|金融机构)\\s*)(?<![\\d一二两三四五六七八九十百千零])${FIGURE}\\s*家\\s*(?:参会)?企业|企业(?:数|数量)?(?:也是|也有|都是|也|有|为|是|来了|到了|到场)?\\s*${FIGURE}\\s*(?:家|${NO_UNIT})(?!(?:银行|金融机构)(?!\\s*(?:机构)?\\s*${FIGURE}))`, 'g');
const BANKS = new RegExp(`${FIGURE}\\s*(?:家|间|个)\\s*(?:银行|金融机构)|(?:银行|金融机构)[^\\d，,。；;一二两三四五六七八九十]{0,6}${FIGURE}\\s*(?:家|间|个|${NO_UNIT})`, 'g');
// "每场30家企业5家银行": one attendance said of several events.
const EVERY_EVENT = /每场|每次|各场|每一场/;

/**
 * Events told apart by their attendance ("商会那场三十二家企业六家银行园区那场四十家企业三家银行"):
 * one event per enterprise count, each running to the last bank count before the next. Only when
 * banks are counted too (a matchmaking event) and no other number of events is said.
 */
export function attendanceEvents(text: string, declared: number, factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  const firms = [...text.matchAll(ATTENDANCE)];
  if (firms.length < 2 || (declared > 1 && declared !== firms.length) || EVERY_EVENT.test(text)) return [];
  // Banks are looked for with the enterprise counts blanked out: "企业30家银行5家" is 30 firms, 5 banks.
  let rest = text;
  for (const m of firms) rest = rest.slice(0, m.index) + ' '.repeat(m[0].length) + rest.slice(m.index + m[0].length);
  const banks = [...rest.matchAll(BANKS)];
  // "制造业企业25家 服务业企业10家 银行6家": parts of one attendance, not events, when fewer banks are
  // counted and no more than one event is spoken of ("我们那场…合作方那场…" are two).
  if (!banks.length || (banks.length < firms.length && (text.match(/场/g) ?? []).length < 2)) return [];
  const ownBanks = firms.map((m, i) => banks.filter((b) => b.index > m.index && b.index < (firms[i + 1]?.index ?? text.length)).at(-1));
  const ends = firms.map((m, i) => { const b = ownBanks[i]; return b ? b.index + b[0].length : m.index + m[0].length; });
  return firms.map((m, i) => {
    const start = Math.max(i ? ends[i - 1] : 0, clauseBounds(text, m.index)[0]);
    const b = ownBanks[i];
    // Read from the figures alone: the words around them ("一家组织的是", "银行只来了") count nothing else.
    const stats = `对接会 ${m[1] ?? m[2]}家企业${b ? ` ${b[1] ?? b[2]}家银行` : ''}`;
    return { kind: 'event' as const, count: 1, text: text.slice(start, ends[i]).trim(), ...factsOf(stats) };
  });
}

export const EACH_ORGANISER = new RegExp(`${NUM}\\s*(?:个|家)[\\u4e00-\\u9fa5\\s]{0,4}?各(?:自)?[^，,。\\s]{0,8}$`);
