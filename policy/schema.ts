import { z } from 'zod';

export const TIER_IDS = ['none', 'innovative', 'provincial', 'little_giant', 'champion'] as const;
export type TierId = (typeof TIER_IDS)[number];

const measureId = z.string().regex(/^\d+(\.\d+)?$/, 'measure id must look like "1" or "2.1"');

export const DOCUMENT_STATUSES = ['征求意见稿', '正式印发', '已废止'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const MeasureSchema = z.object({
  id: measureId,
  ordinal: z.string().optional(),
  parent: measureId.optional(),
  title: z.string().min(1),
  text: z.string().min(1),
  units: z.array(z.string().min(1)),
  keywords: z.array(z.string().min(1)).default([]),
  /**
   * Words of this measure's text that another measure also has as a keyword ("牵头单位": 第二条 and
   * 第六条 both pay an organiser). They count for each at a share; `npm run policy:check` proves
   * each is in the text and is another measure's keyword.
   */
  sharedKeywords: z.array(z.string().min(1)).default([]),
  /**
   * Words of the text naming whom a measure without award rules pays ("予以抱团参展企业及牵头单位补助"),
   * verbatim: asked "钱给谁", the reply quotes them. Measures with rules answer from the rules.
   */
  recipients: z.array(z.string().min(1)).default([]),
  /** Questions people ask about this measure; `npm run policy:check` proves each resolves to it. */
  examples: z.array(z.string().min(1)).default([]),
});

export const TierSchema = z.object({
  id: z.enum(TIER_IDS),
  label: z.string().min(1),
  /** Names that mean this tier wherever they appear. */
  aliases: z.array(z.string().min(1)),
  /** Names too loose for a question ("省级", "没有"): they count only as the answer to the
   * tier question or in a statement about oneself ("我们是专精特新企业"). */
  answerAliases: z.array(z.string().min(1)).default([]),
});

export const FIELD_KINDS = ['tier', 'boolean', 'year', 'yuan', 'level', 'count', 'enum'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export const ProfileFieldSchema = z.object({
  field: z.string().min(1),
  kind: z.enum(FIELD_KINDS),
  label: z.string().min(1),
  question: z.string().min(1),
  hint: z.string().min(1),
});

export const QuestionFieldSchema = z.object({
  field: z.string().min(1),
  kind: z.enum(FIELD_KINDS),
  label: z.string().min(1),
  values: z.array(z.string()).optional(),
});

export const ConditionSchema = z
  .object({
    field: z.string().min(1),
    in: z.array(z.string()).optional(),
    equals: z.union([z.boolean(), z.number(), z.string()]).optional(),
    min: z.number().optional(),
    scope: z.boolean().default(false),
    /**
     * Holds unless the facts say otherwise: whom the rule pays ("牵头组织单位") is taken to be the
     * asker until they say they are someone else ("我们只是协办"). Never asked for.
     */
    assumed: z.boolean().default(false),
    /**
     * Can hold for an enterprise only once ("首次被认定"): a rule with such a condition pays once,
     * whether or not its text says 一次性. The frequency answer says so, naming the condition.
     */
    once: z.boolean().default(false),
    unmet: z.string().min(1),
  })
  .refine((c) => [c.in, c.equals, c.min].filter((x) => x !== undefined).length === 1, {
    message: 'a condition needs exactly one of in, equals, min',
  });

export const AmountSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), yuan: z.number().positive() }),
  z.object({ kind: z.literal('percentOf'), field: z.string(), percent: z.number().positive() }),
  z.object({ kind: z.literal('perUnit'), field: z.string(), yuan: z.number().positive(), unit: z.string() }),
  z.object({
    kind: z.literal('capByValue'),
    field: z.string(),
    caps: z.record(z.string(), z.number().positive()),
    labels: z.record(z.string(), z.string()),
  }),
  z.object({ kind: z.literal('unspecified'), note: z.string().min(1) }),
]);

export const AwardRuleSchema = z.object({
  id: z.string().min(1),
  measure: measureId,
  audience: z.enum(['enterprise', 'organizer', 'county']),
  title: z.string().min(1),
  summary: z.string().min(1),
  /** The words of the measure that state this rule, verbatim: replies quote the sentence holding them. */
  quote: z.string().min(1),
  when: z.array(ConditionSchema),
  amount: AmountSchema,
});

export const PolicyDocumentSchema = z.object({
  id: z.string().min(1),
  version: z.number().int().positive(),
  title: z.string().min(1),
  /** Where the document stands: a draft for comment, the issued version, or withdrawn. */
  status: z.enum(DOCUMENT_STATUSES, { error: `status must be one of: ${DOCUMENT_STATUSES.join(', ')}` }),
  /** The document's own 文号 ("榕工信规〔2027〕1号"); a draft for comment has none. */
  number: z.string().min(1).optional(),
  /** The id of the document this one replaces: from validFrom on, only this one is answered from. */
  supersedes: z.string().min(1).optional(),
  basis: z.string().min(1),
  issuer: z.string().min(1),
  preamble: z.string().min(1),
  /** First day (Fuzhou date) the document is answered from. */
  validFrom: z.iso.date(),
  /** Last day it is in force; from the next day answers say it expired. */
  validUntil: z.iso.date(),
  validityText: z.string().min(1),
  source: z.string().min(1),
  tiers: z.array(TierSchema).min(1),
  profileFields: z.array(ProfileFieldSchema).min(1),
  questionFields: z.array(QuestionFieldSchema).default([]),
  awards: z.array(AwardRuleSchema),
  measures: z.array(MeasureSchema).min(1),
}).refine((d) => d.validFrom <= d.validUntil, { message: 'validFrom must not be after validUntil', path: ['validFrom'] });

export type Measure = z.infer<typeof MeasureSchema>;

/** The words that point a question at a measure: its own keywords and those it shares. */
export function measureWords(m: Pick<Measure, 'keywords' | 'sharedKeywords'>): string[] {
  return m.sharedKeywords.length ? [...m.keywords, ...m.sharedKeywords] : m.keywords;
}
export type Tier = z.infer<typeof TierSchema>;
export type ProfileField = z.infer<typeof ProfileFieldSchema>;
export type Condition = z.infer<typeof ConditionSchema>;
export type AwardRule = z.infer<typeof AwardRuleSchema>;
export type PolicyDocumentData = z.infer<typeof PolicyDocumentSchema>;
