import type { AwardRule, FieldKind, Measure, PolicyDocumentData, ProfileField, Tier, TierId } from './schema.js';

/** A validated policy document with the lookups every caller needs. Immutable after load. */
export interface PolicyDocument extends PolicyDocumentData {
  /** "<id>@<version>": dialog states remember it so a new document restarts old dialogs. */
  readonly versionTag: string;
  readonly sourceText: string;
  measure(id: string): Measure | undefined;
  /** Top-level measures ("1" … "10") in document order. */
  topMeasures(): Measure[];
  children(id: string): Measure[];
  /** Responsible units; a heading without its own inherits its titled paragraphs'. */
  unitsOf(id: string): string[];
  /** "第二条" for "2" and for "2.1": the article a measure belongs to. */
  articleName(id: string): string;
  /** "第一条（建立梯度培育体系）" or "第二条（强化产融对接服务）": how replies name a measure. */
  displayName(id: string): string;
  rulesFor(measureId: string): AwardRule[];
  field(name: string): ProfileField | undefined;
  fieldLabel(name: string): string;
  fieldKind(name: string): FieldKind | undefined;
  tier(id: TierId): Tier;
}

export function createPolicyDocument(data: PolicyDocumentData, sourceText: string): PolicyDocument {
  const byId = new Map(data.measures.map((m) => [m.id, m]));
  const fieldByName = new Map(data.profileFields.map((f) => [f.field, f]));
  const questionFields = new Map(data.questionFields.map((f) => [f.field, f]));

  const children = (id: string) => data.measures.filter((m) => m.parent === id);
  const topOf = (m: Measure): Measure => (m.parent ? topOf(byId.get(m.parent)!) : m);

  return {
    ...data,
    versionTag: `${data.id}@${data.version}`,
    sourceText,
    measure: (id) => byId.get(id),
    topMeasures: () => data.measures.filter((m) => !m.parent),
    children,
    unitsOf(id) {
      const m = byId.get(id);
      if (!m) return [];
      if (m.units.length) return m.units;
      return [...new Set(children(id).flatMap((c) => c.units))];
    },
    articleName(id) {
      const m = byId.get(id);
      if (!m) return id;
      const top = topOf(m);
      return `第${top.ordinal ?? top.id}条`;
    },
    displayName(id) {
      const m = byId.get(id);
      return m ? `第${topOf(m).ordinal ?? m.id}条（${m.title}）` : id;
    },
    rulesFor: (measureId) => data.awards.filter((r) => r.measure === measureId || r.measure.startsWith(measureId + '.')),
    field: (name) => fieldByName.get(name),
    fieldLabel: (name) => fieldByName.get(name)?.label ?? questionFields.get(name)?.label ?? name,
    fieldKind: (name) => fieldByName.get(name)?.kind ?? questionFields.get(name)?.kind,
    tier(id) {
      const t = data.tiers.find((x) => x.id === id);
      if (!t) throw new Error(`tier ${id} is not defined in ${data.id}`);
      return t;
    },
  };
}
