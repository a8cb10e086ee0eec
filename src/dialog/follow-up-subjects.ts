import type { FactValue } from '../../policy/index.js';
import type { Nlu, Parse } from '../nlu/index.js';
import { parseNumeral } from '../nlu/numbers.js';
import { RELATED_COMPANY } from '../nlu/subject-names.js';
import type { SubjectGroup, SubjectKind } from '../nlu/subjects.js';

/** A group of subjects an earlier turn counted, with every fact it had (its own over the shared). */
export interface RememberedGroup {
  count: number;
  facts: Record<string, FactValue>;
  text: string;
}

/** The groups of the kind a measure counts, as a turn's answer evaluated them, for later turns. */
export function rememberedGroups(p: Parse, kind: SubjectKind | undefined): RememberedGroup[] | undefined {
  const subjects = kind ? p.subjects[kind] : undefined;
  if (!subjects?.groups.length) return undefined;
  return subjects.groups.map((g) => ({ count: g.count, facts: { ...subjects.shared, ...g.facts }, text: g.text }));
}

const N = '([一二两三四五六七八九十]+|\\d+)';
// "还有两家子公司", "另一家", "另外一场", "又拉了一家": subjects added to those already counted,
// by the measure word of the kind ("还有一个信息化系统" adds an amount, "再加一家银行" attendance).
const COUNTED_AS: Record<SubjectKind, string> = {
  enterprise: '(?:家|间|个(?=[^，,。]{0,3}(?:厂|公司|企业|单位)))(?!银行|金融)',
  event: '场',
  cluster: '个',
};
const addedPattern = (kind: SubjectKind) => new RegExp(`(?:还有|另外|另|又|再)[^\\d一二两三四五六七八九十，,。.]{0,3}?${N}\\s*${COUNTED_AS[kind]}`);
// "其中一家是复核", "其中3家非工信企业", "80万那家", "另一家是2023年评的": one part of the earlier count.
// "有一场其实只来了25家企业": one of them, told apart by what follows.
const PART = new RegExp(`(?:其中|(?<![还另又])有(?=[一二两三四五六七八九十\\d]))${N}?\\s*(?:家|个|间|场)|另一(?:家|个|间|场)|([^\\s,，。]{1,6}?)那(?:家|个|间|场)`);
// "还有一家也评上了": like the ones before.
// (嘛, 攏: Minnan 也, 都.)
const SAME = /一样|同样|相同|[也嘛](?:是|都|攏|评|认定|首次|第一次|头一回|头回|拿|被|获|入选|成功|创建)/;

// A turn that starts by naming another enterprise of the group ("兄弟公司…", "还有我们子公司…").
const RELATIVE_LEADS = new RegExp(`^(?:那|还有|另外)?(?:我们|阮|咱们?)?(?:的|兜)?(?:${RELATED_COMPANY}|关联公司|姐妹公司)`);
// "第二场", "第三家": one of the parts by its place.
const ORDINAL = new RegExp(`第${N}\\s*(?:场|家|个|间)`);

const countOf = (s: string | undefined): number => (s === undefined ? 1 : /^\d/.test(s) ? Number(s) : parseNumeral(s) ?? 1);

/**
 * The subjects a follow-up speaks of, read against the earlier turn's: added ones ("还有一个厂是首次
 * 小巨人，省里给了90万") join them; a correction of one part ("不对，其中一家是复核") splits it off with
 * the corrected facts. Undefined when the turn does neither.
 */
export function carriedSubjects(nlu: Nlu, p: Parse, earlier: RememberedGroup[], own: Record<string, FactValue>, kind: SubjectKind): SubjectGroup[] | undefined {
  const text = p.text;
  const toGroup = (g: RememberedGroup): SubjectGroup => ({ kind, count: g.count, text: g.text, facts: g.facts, looseYuan: [] });
  const part = PART.exec(text);
  // "其中一家是做贸易的": what is said of one of the subjects counted before sets it apart.
  // (Not when the turn counts its own subjects first: "6家企业…其中4家…" is a question of its own.)
  const ownCount = part !== null && new RegExp(`${N}\\s*${COUNTED_AS[kind]}`).test(text.slice(0, part.index));
  const correcting = p.slots.correction || /其实|更正/.test(text) || (part !== null && part[0].startsWith('其中') && Object.keys(own).length > 0 && !ownCount);
  // "不对 只有两家是第一次 另一家是前年评的": the earlier count said again in parts, each with its own words.
  const total = earlier.reduce((n, g) => n + g.count, 0);
  const parts = correcting ? recountedParts(text, kind) : [];
  if (parts.length >= 2 && total > 1 && parts.reduce((n, x) => n + x.count, 0) === total) {
    const fields = [...nlu.doc.profileFields, ...nlu.doc.questionFields].map((f) => f.field);
    const base = earlier.length === 1 ? earlier[0].facts : {};
    return parts.map((x) => ({ kind, count: x.count, text: x.text, facts: { ...base, ...nlu.factsFor(x.text, fields) }, looseYuan: [] }));
  }
  // "第二场其实后来又来了三家企业", "第一场其实是29家": one of the parts counted one by one, by its place.
  const ordinal = ORDINAL.exec(text);
  const place = ordinal ? countOf(ordinal[1]) - 1 : -1;
  if (ordinal && earlier.length > 1 && earlier.every((g) => g.count === 1) && place >= 0 && place < earlier.length && Object.keys(own).length) {
    const target = earlier[place];
    const adds = nlu.lexicon.countAddCues.some((w) => text.includes(w));
    const facts = { ...target.facts };
    for (const [field, value] of Object.entries(own)) {
      const before = target.facts[field];
      facts[field] = adds && typeof before === 'number' && typeof value === 'number' && nlu.doc.fieldKind(field) === 'count' ? before + value : value;
    }
    return earlier.map((g, i) => (i === place ? { ...g, facts } : g)).map(toGroup);
  }
  if (correcting && part && earlier.length) {
    const n = countOf(part[1]);
    const named = part[2];
    // "80万那家": the group whose facts include that figure; "另一家": the last; else the largest.
    const at = named ? earlier.findIndex((g) => Object.values(g.facts).some((v) => typeof v === 'number' && named.includes(shortAmount(v)))) : -1;
    const index = at >= 0 ? at : part[0].startsWith('另') ? earlier.length - 1 : earlier.reduce((best, g, i) => (g.count > earlier[best].count ? i : best), 0);
    const target = earlier[index];
    if (target.count < n) return undefined;
    const split: RememberedGroup[] = [
      ...(target.count > n ? [{ ...target, count: target.count - n }] : []),
      { count: n, facts: { ...target.facts, ...own }, text: text },
    ];
    return [...earlier.slice(0, index), ...split, ...earlier.slice(index + 1)].map(toGroup);
  }
  // "再加上马尾国家级的": a cluster added by its district, counted one.
  if (kind === 'cluster' && !correcting && earlier.length && /再加上|加上|还有|另外|再加/.test(text) && !new RegExp(`${N}\\s*个`).test(text) && Object.keys(own).length) {
    return [...earlier, { count: 1, facts: own, text }].map(toGroup);
  }
  // "兄弟公司25年首次评上省级专精特新 也是工业企业": one more enterprise, named by how it is related, with facts of its own.
  if (kind === 'enterprise' && !correcting && earlier.length && RELATIVE_LEADS.test(text) && Object.keys(own).length >= 2
    && !new RegExp(`${N}\\s*${COUNTED_AS[kind]}`).test(text)) {
    return [...earlier, { count: 1, facts: own, text }].map(toGroup);
  }
  const added = addedPattern(kind).exec(text);
  // "办了两场…下半年又一场": a turn that counts before it adds is a question of its own.
  if (!added || correcting || new RegExp(`${N}\\s*${COUNTED_AS[kind]}`).test(text.slice(0, added.index))) return undefined;
  const base = earlier.length ? earlier : [];
  const like = SAME.test(text) ? base[base.length - 1]?.facts ?? {} : {};
  const newGroup: RememberedGroup = { count: countOf(added[1]), facts: { ...like, ...own }, text };
  if (!Object.keys(newGroup.facts).length) return undefined;
  return [...base, newGroup].map(toGroup);
}

/** The counts of a kind a turn names ("两家…另一家…"), each with its words up to the next. */
function recountedParts(text: string, kind: SubjectKind): { count: number; text: string }[] {
  const counted = new RegExp(`(?:另)?${N}\\s*${COUNTED_AS[kind]}`, 'g');
  const found = [...text.matchAll(counted)];
  return found.map((m, i) => ({ count: countOf(m[1]), text: text.slice(m.index, found[i + 1]?.index ?? text.length) }));
}

/** "80万" for 800000: how people name an enterprise by its award. */
function shortAmount(yuan: number): string {
  return yuan >= 10_000 && yuan % 10_000 === 0 ? `${yuan / 10_000}万` : String(yuan);
}
