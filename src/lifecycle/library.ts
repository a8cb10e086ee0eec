import { createHash } from 'node:crypto';
import {
  checkPolicyDirectory, documentInForce, formatProblem, loadPolicyDocuments, validitySummary,
  type MeasureResolver, type PolicyDocument,
} from '../../policy/index.js';
import type { Clock, Logger, StaffAlerts } from '../core/ports.js';
import { todayIn } from '../dialog/answers.js';
import type { Nlu } from '../nlu/index.js';
import type { ValidityTexts } from '../dialog/validity.js';

export interface PolicyLibraryDeps {
  /** policy/documents, or a test's folder. */
  dir: string;
  clock: Clock;
  /** POLICY_DOCUMENT: answer from this document whatever the date. */
  pinned?: string;
  /** Builds the NLU for one document (its measures and keywords). */
  loadNlu(doc: PolicyDocument): Promise<Nlu>;
}

export interface ReloadReport {
  ok: boolean;
  /** versionTags now loaded (unchanged when refused). */
  documents: string[];
  /** The one answered from today, after the reload. */
  inForce: string;
  /** What was wrong, "file:line: what → what to do", when refused. */
  problems: string[];
}

/** The documents the service knows, which one is in force on a day, and reloading them. */
export interface PolicyLibrary {
  documents(): readonly PolicyDocument[];
  /** Today's date in Fuzhou, by the service's clock. */
  today(): string;
  /** The document answered from on a date (default today). */
  inForce(today?: string): PolicyDocument;
  /** Always the document in force at the moment of use: for parts that hold one document. */
  readonly live: PolicyDocument;
  nluOf(doc: PolicyDocument): Nlu;
  /** Re-reads the folder; a folder that fails the check changes nothing. */
  reload(): Promise<ReloadReport>;
  /** The state of every document on today's date, the one in force first. */
  summary(): ReturnType<typeof validitySummary>[];
}

export async function createPolicyLibrary(deps: PolicyLibraryDeps): Promise<PolicyLibrary> {
  let docs = loadPolicyDocuments(deps.dir);
  if (deps.pinned && !docs.some((d) => d.id === deps.pinned)) {
    throw new Error(`POLICY_DOCUMENT="${deps.pinned}" is not one of: ${docs.map((d) => d.id).join(', ')}`);
  }
  // One NLU per document content: a reload that leaves a document as it was reuses its NLU
  // (a segmenter costs tens of MB and a second or so to build).
  const nlus = new Map<string, Promise<Nlu>>();
  const nluFor = (doc: PolicyDocument) => {
    const key = contentKey(doc);
    let nlu = nlus.get(key);
    if (!nlu) {
      nlu = deps.loadNlu(doc);
      nlus.set(key, nlu);
      nlu.catch(() => nlus.delete(key));
    }
    return nlu;
  };
  const forgetNlusBut = (keep: readonly PolicyDocument[]) => {
    const keys = new Set(keep.map(contentKey));
    for (const key of [...nlus.keys()]) if (!keys.has(key)) nlus.delete(key);
  };
  const ready = new WeakMap<PolicyDocument, Nlu>();
  for (const d of docs) ready.set(d, await nluFor(d));

  const today = () => todayIn(deps.clock.now());
  const inForce = (day = today()) => documentInForce(docs, day, deps.pinned);

  // The selection changes at most at midnight; computing it once a minute keeps lookups cheap.
  let cached: { minute: number; doc: PolicyDocument; of: readonly PolicyDocument[] } | undefined;
  const current = () => {
    const minute = Math.floor(deps.clock.now() / 60_000);
    if (!cached || cached.minute !== minute || cached.of !== docs) cached = { minute, doc: inForce(), of: docs };
    return cached.doc;
  };
  const live = new Proxy({} as PolicyDocument, {
    get: (_t, key) => Reflect.get(current(), key),
    has: (_t, key) => Reflect.has(current(), key),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(current(), key);
      return d && { ...d, configurable: true };
    },
  });

  // Resolving the examples builds each new document's NLU; the ones that pass are kept for serving.
  const resolveMeasure: MeasureResolver = async (doc, question) => (await nluFor(doc)).parse(question).measures[0];

  return {
    documents: () => docs,
    today,
    inForce,
    live,
    nluOf(doc) {
      const nlu = ready.get(doc);
      if (!nlu) throw new Error(`no NLU for ${doc.versionTag}`);
      return nlu;
    },
    async reload() {
      const results = await checkPolicyDirectory(deps.dir, { resolveMeasure });
      const problems = results.flatMap((r) => r.problems.map(formatProblem));
      if (!results.length) problems.push(`${deps.dir}: no document folder found`);
      const loaded = results.flatMap((r) => (r.doc ? [r.doc] : []));
      if (deps.pinned && !problems.length && !loaded.some((d) => d.id === deps.pinned)) problems.push(`POLICY_DOCUMENT="${deps.pinned}" is no longer in ${deps.dir}`);
      if (problems.length) {
        forgetNlusBut(docs);
        return { ok: false, documents: docs.map((d) => d.versionTag), inForce: inForce().versionTag, problems };
      }
      for (const d of loaded) ready.set(d, await nluFor(d));
      docs = loaded;
      forgetNlusBut(docs);
      return { ok: true, documents: docs.map((d) => d.versionTag), inForce: inForce().versionTag, problems: [] };
    },
    summary() {
      const day = today();
      const first = inForce(day);
      return [first, ...docs.filter((d) => d !== first)].map((d) => validitySummary(d, day));
    },
  };
}

const contentKeys = new WeakMap<PolicyDocument, string>();
/** The document's identity by content: its data and its source text. */
function contentKey(doc: PolicyDocument): string {
  let key = contentKeys.get(doc);
  if (!key) {
    key = `${doc.versionTag}:${createHash('sha256').update(JSON.stringify(doc)).update(doc.sourceText).digest('hex')}`;
    contentKeys.set(doc, key);
  }
  return key;
}

/** Reloads and tells: logged either way; a refusal also goes to the staff. */
export async function reloadAndReport(library: PolicyLibrary, log: Logger, alerts: StaffAlerts, texts: ValidityTexts, trigger: string): Promise<ReloadReport> {
  let report: ReloadReport;
  try {
    report = await library.reload();
  } catch (e) {
    report = { ok: false, documents: library.documents().map((d) => d.versionTag), inForce: library.inForce().versionTag, problems: [(e as Error).message] };
  }
  if (report.ok) {
    log.info({ trigger, documents: report.documents, inForce: report.inForce }, 'policy documents reloaded');
    return report;
  }
  log.error({ trigger, problems: report.problems, serving: report.inForce }, 'policy reload refused: the documents in use keep serving');
  const shown = report.problems.slice(0, 5).join('\n');
  const more = report.problems.length > 5 ? `\n……另有${report.problems.length - 5}处` : '';
  await alerts.alert(`${texts.render('reloadRefused', { trigger, serving: report.inForce })}\n${shown}${more}`).catch((e: Error) => log.error({ err: e }, 'could not alert staff about a refused policy reload'));
  return report;
}
