import type { PolicyDocument } from './document.js';
import { formatChineseDate } from './format.js';

/** Whole days from one ISO date to another (negative when `to` is earlier). */
export function daysFrom(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(toIso + 'T00:00:00Z') - Date.parse(fromIso + 'T00:00:00Z')) / 86_400_000);
}

export type ValidityState = 'upcoming' | 'active' | 'expired';

export interface Validity {
  state: ValidityState;
  /** Days from today to validUntil: 0 on the last valid day, negative once expired. */
  daysLeft: number;
}

/** Where a document stands on a given Fuzhou date. */
export function validityOn(doc: Pick<PolicyDocument, 'validFrom' | 'validUntil'>, today: string): Validity {
  const daysLeft = daysFrom(today, doc.validUntil);
  const state: ValidityState = today < doc.validFrom ? 'upcoming' : daysLeft < 0 ? 'expired' : 'active';
  return { state, daysLeft };
}

/**
 * The document answered from on a date: among those begun (validFrom passed) and not withdrawn,
 * minus any a begun successor supersedes, the latest begun that is still valid; when every one
 * has expired, the one that expired last (answers then say so). `pinned` (POLICY_DOCUMENT) wins.
 */
export function documentInForce(docs: readonly PolicyDocument[], today: string, pinned?: string): PolicyDocument {
  if (docs.length === 0) throw new Error('no policy document loaded');
  if (pinned) {
    const doc = docs.find((d) => d.id === pinned);
    if (doc) return doc;
  }
  const usable = docs.filter((d) => d.status !== '已废止');
  const pool = usable.length ? usable : [...docs];
  const begun = pool.filter((d) => d.validFrom <= today);
  if (!begun.length) return [...pool].sort((a, b) => a.validFrom.localeCompare(b.validFrom))[0];
  const replaced = new Set(begun.map((d) => d.supersedes).filter(Boolean));
  const candidates = begun.filter((d) => !replaced.has(d.id));
  const valid = candidates.filter((d) => today <= d.validUntil).sort((a, b) => b.validFrom.localeCompare(a.validFrom));
  if (valid.length) return valid[0];
  return [...candidates].sort((a, b) => b.validUntil.localeCompare(a.validUntil))[0];
}

/** Words people use for a document by its status ("征求意见稿里怎么说", "正式版呢"). */
const STATUS_NAMES: Record<string, string[]> = {
  征求意见稿: ['征求意见稿', '意见稿', '草案', '草稿'],
  正式印发: ['正式印发', '正式版', '正式稿', '正式文件', '正式发布', '正式出台'],
  已废止: ['已废止', '废止的'],
};

const OLDER = ['旧版', '老版', '旧文件', '原来的文件', '之前的文件', '上一版', '原版本', '原来那版'];

/** The words in a message that name `doc` (its 文号, or its status word), longest first. */
export function namesOf(doc: PolicyDocument): string[] {
  return [...(doc.number ? [doc.number] : []), ...(STATUS_NAMES[doc.status] ?? [])].sort((a, b) => b.length - a.length);
}

/**
 * A document other than the current one that a message names, with the words that named it:
 * by 文号, by status ("征求意见稿") or as "the old one" (the document the current one supersedes).
 */
export function documentNamed(docs: readonly PolicyDocument[], current: PolicyDocument, text: string): { doc: PolicyDocument; words: string } | undefined {
  const currentNames = new Set(namesOf(current));
  for (const doc of docs) {
    if (doc.id === current.id) continue;
    const words = namesOf(doc).find((n) => text.includes(n) && !currentNames.has(n));
    if (words) return { doc, words };
  }
  const older = current.supersedes ? docs.find((d) => d.id === current.supersedes) : undefined;
  const words = OLDER.find((w) => text.includes(w));
  return older && words ? { doc: older, words } : undefined;
}

/** "《标题》（正式印发，榕工信规〔2027〕1号）": how answers name the document they quote. */
export function documentCitation(doc: PolicyDocument): string {
  return `《${doc.title}》（${doc.status}，${doc.number ?? '未编文号'}）`;
}

/** The plain facts about a document's validity for health checks and staff. */
export function validitySummary(doc: PolicyDocument, today: string) {
  const v = validityOn(doc, today);
  return {
    document: doc.versionTag,
    title: doc.title,
    status: doc.status,
    number: doc.number ?? null,
    validFrom: doc.validFrom,
    validUntil: doc.validUntil,
    validUntilText: formatChineseDate(doc.validUntil),
    state: v.state,
    daysLeft: v.daysLeft,
  };
}
