import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readYamlFile } from '../../policy/yaml-file.js';
import { z } from 'zod';

const IntentSchema = z.object({
  id: z.string().min(1),
  scope: z.enum(['measure', 'global']),
  /** What a measure question asks about, in words ("条件"), for asking back which measure. */
  label: z.string().min(1).optional(),
  /** Words whose presence is a feature of the intent model; the model learns how much each says. */
  cues: z.array(z.string().min(1)),
  examples: z.array(z.string().min(1)).min(1),
});

export const IntentsFileSchema = z
  .object({
    clarify: z.object({ minProbability: z.number().min(0).max(1), minMargin: z.number().min(0).max(1) }),
    intents: z.array(IntentSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const owner = new Map<string, string>();
    for (const intent of file.intents) {
      for (const ex of intent.examples) {
        const other = owner.get(ex);
        if (other && other !== intent.id) ctx.addIssue({ code: 'custom', message: `example "${ex}" is under both ${other} and ${intent.id}` });
        owner.set(ex, intent.id);
      }
    }
  });

const words = z.array(z.string().min(1));
export const LexiconSchema = z.object({
  replacements: z.record(z.string().min(1), z.string()),
  englishTerms: z.record(z.string().regex(/^[a-z0-9&\- ]+$/, 'lower-case English words'), z.string().min(1)),
  stopwords: words,
  otherPlaces: words,
  /** This city in a follow-up ("那福州的呢"): the same question as another place's, asked here. */
  homePlaceWords: words,
  districts: words,
  /** "区里也有吗", "县区会不会再配一笔": a district's own top-up, which one measure encourages. */
  localTopUp: z.object({ measure: z.string(), focus: z.string(), who: words, asks: words }),
  /** With one of these, a named city is where the enterprise goes or has a site, not whose policy it is. */
  venueWords: words,
  /** With one of these, a question about the province's own award or about recognition is about the city's measures after all. */
  cityMeasureWords: words,
  outsideCues: words,
  documentWords: words,
  weakKeywords: words,
  domainCues: words,
  commands: z.object({ cancel: words, restart: words, back: words }),
  answers: z.object({ yes: words, no: words, unknown: words, notAssessed: words, noInvestment: words }),
  corrections: words,
  /** "要是29家呢", "换成四家银行": the same case with one figure changed. */
  hypotheticalCues: words,
  /** "不对，我问的是小巨人": the topic, not a fact, is being corrected. */
  topicCorrections: words,
  /** A message starting or ending with one of these leans on the previous question ("那省级的呢"). */
  followUpCues: words,
  /** Words that say nothing of their own in a follow-up ("那如果是省级的呢"). */
  fillerWords: words,
  /** "回到刚才那个": the question before the last one. */
  backReferences: words,
  /** How long, and for how many follow-ups, a question stays the context of the next ones. */
  context: z.object({ minutes: z.number().positive(), turns: z.number().int().positive() }),
  /** Fields whose amounts in one message add up ("设备160万，信息化150万"). */
  additiveFields: words,
  grossCues: words,
  /** Before an amount: spending the investment rules do not count ("厂房土建花了六百万", "就差一万"). */
  notInvestedCues: words,
  /** Right before a count: how many are missing ("银行就差一家"), which is no count of a field. */
  shortfallCues: words,
  /** Before a second amount: the asker's own reckoning of the answer ("市里配套50万对吗"), not another subject's. */
  reckonedCues: words,
  /** Before a second amount of the same field: the exact figure of the first ("一百二十来万 精确是123万"). */
  preciseCues: words,
  netCues: words,
  amountJoiners: words,
  /** Before an amount after its parts: the asker's own total of them ("加起来330万"), not one more part. */
  statedTotalCues: words,
  /** A follow-up with one of these adds its amount to the one before ("还有…80万，加起来呢"). */
  additiveCues: words,
  /** A follow-up count with one of these adds to the one before ("再加一家银行"). */
  countAddCues: words,
  /** A follow-up naming more subjects with one of these counts the asker too ("还有两家子公司也是"). */
  subjectAddCues: words,
  /** Asking who receives a measure's money ("钱发给谁", "给企业还是给区里"): the units answer also says whom the rules pay. */
  recipientCues: words,
  /** Right after a count of banks or units: they organise the event, they are not its attendance ("两家银行联合牵头"). */
  organiserCues: words,
  /** What an asker says of a counted group as a whole ("一场达标一场没达标", "银行不足5家"): unmet words are looked for first. */
  verdicts: z.object({ met: words, unmet: words }),
  /** "分别找哪个部门", "门槛各是什么": the question asks the same of every measure it names. */
  eachCues: words,
  /** Words that ask for the whole eligibility check rather than one answer. */
  checkRequests: words,
  selfWords: words,
  questionCues: words,
  /** Words before a count that make it the total of the parts said before ("企业总数35家"). */
  countTotalCues: words,
  /** Words of talking that never name a subject ("然后那个…"). */
  talkWords: words,
  /** "今年又首次评上小巨人": a later step of the same enterprise. */
  laterStepWords: words,
  /** "哪几条写了明确的金额": the measures that set an amount, listed with their amounts. */
  amountListCues: words,
  /** "这两个分别找谁": the last two topics together. */
  bothTopicCues: words,
  bothLevelsCues: words,
  /** "加起来一共能拿多少" after a second topic: the sum over the conversation's topics. */
  acrossTopicsCues: words,
  /** "找市工信局对接是吧": endings that put a guess forward to be confirmed. */
  confirmingEnds: words,
  /** Question words beside questionCues (which feed the model), for whether a message only describes the asker. */
  askingWords: words,
  /** "…拿下技改补助": the support of a measure, named beside the facts, says what they ask about. */
  supportWords: words,
  /** Nouns a count of firms may count that are no event's attendance ("六家客户", "三家子公司"). */
  otherCountedNouns: words,
  fieldCues: z.record(z.string(), words),
  /** Two bare counts side by side ("33家5家") are these fields, in order. */
  countPairs: z.array(z.tuple([z.string(), z.string()])),
});

export type IntentsFile = z.infer<typeof IntentsFileSchema>;
export type IntentDefinition = IntentsFile['intents'][number];
export type Lexicon = z.infer<typeof LexiconSchema>;

/** A labelled question the intent model learns from (intents/training/*.jsonl). */
export const TrainingQuestionSchema = z.object({ text: z.string().min(1), intent: z.string().min(1) }).passthrough();
export type TrainingQuestion = z.infer<typeof TrainingQuestionSchema>;

export interface NluKnowledge {
  intents: IntentsFile;
  lexicon: Lexicon;
  userDict: string;
  /** Read and validated on first use: only training needs the questions themselves. */
  readonly training: TrainingQuestion[];
  /** A hash of the training files as they are on disk (names and bytes), for the model cache key. */
  trainingDigest: string;
}

export class KnowledgeLoadError extends Error {
  readonly code = 'KNOWLEDGE_INVALID';
}

function readValidated<T>(file: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(readYamlFile(file));
  if (!parsed.success) {
    throw new KnowledgeLoadError(`${file}: ${parsed.error.issues.map((i) => `field "${i.path.join('.')}": ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Every line of every .jsonl file in a folder, validated; errors name the file and line. */
export function readTrainingQuestions(dir: string, intentIds: ReadonlySet<string>): TrainingQuestion[] {
  const out: TrainingQuestion[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const where = `${join(dir, name)}:${i + 1}`;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new KnowledgeLoadError(`${where}: not valid JSON`);
      }
      const parsed = TrainingQuestionSchema.safeParse(json);
      if (!parsed.success) throw new KnowledgeLoadError(`${where}: ${parsed.error.issues.map((x) => x.message).join('; ')}`);
      if (!intentIds.has(parsed.data.intent)) throw new KnowledgeLoadError(`${where}: unknown intent "${parsed.data.intent}" (add it to intents.yaml or fix the label)`);
      out.push(parsed.data);
    });
  }
  return out;
}

/** The training files' names and bytes, hashed: what the questions are, without reading them as questions. */
function trainingFilesDigest(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) hash.update(name).update('\0').update(readFileSync(join(dir, name))).update('\0');
  return hash.digest('hex');
}

export function loadNluKnowledge(intentsDir: string): NluKnowledge {
  const intents = readValidated(join(intentsDir, 'intents.yaml'), IntentsFileSchema);
  const trainingDir = join(intentsDir, 'training');
  // Parsing and validating 4,000 questions line by line cost about 60 ms of every start, and a
  // start only needs them when the model built with them is not in the cache (the build trains,
  // and so validates, the same bytes the digest names).
  let training: TrainingQuestion[] | undefined;
  return {
    intents,
    lexicon: readValidated(join(intentsDir, 'lexicon.yaml'), LexiconSchema),
    userDict: readFileSync(join(intentsDir, 'userdict.txt'), 'utf8'),
    get training() {
      return (training ??= readTrainingQuestions(trainingDir, new Set(intents.intents.map((i) => i.id))));
    },
    trainingDigest: trainingFilesDigest(trainingDir),
  };
}
