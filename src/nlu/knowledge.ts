import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const IntentSchema = z.object({
  id: z.string().min(1),
  scope: z.enum(['measure', 'global']),
  /** What a measure question asks about, in words ("条件"), for asking back which measure. */
  label: z.string().min(1).optional(),
  keywords: z.record(z.string().min(1), z.number().min(0).max(1)),
  examples: z.array(z.string().min(1)).min(1),
});

export const IntentsFileSchema = z
  .object({ threshold: z.number().min(0).max(1), intents: z.array(IntentSchema).min(1) })
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
  stopwords: words,
  otherPlaces: words,
  weakKeywords: words,
  domainCues: words,
  commands: z.object({ cancel: words, restart: words, back: words }),
  answers: z.object({ yes: words, no: words, unknown: words, notAssessed: words, noInvestment: words }),
  corrections: words,
  selfWords: words,
  questionCues: words,
  fieldCues: z.record(z.string(), words),
});

export type IntentsFile = z.infer<typeof IntentsFileSchema>;
export type IntentDefinition = IntentsFile['intents'][number];
export type Lexicon = z.infer<typeof LexiconSchema>;

export interface NluKnowledge {
  intents: IntentsFile;
  lexicon: Lexicon;
  userDict: string;
}

export class KnowledgeLoadError extends Error {
  readonly code = 'KNOWLEDGE_INVALID';
}

function readValidated<T>(file: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new KnowledgeLoadError(`${file}: ${parsed.error.issues.map((i) => `field "${i.path.join('.')}": ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function loadNluKnowledge(intentsDir: string): NluKnowledge {
  return {
    intents: readValidated(join(intentsDir, 'intents.yaml'), IntentsFileSchema),
    lexicon: readValidated(join(intentsDir, 'lexicon.yaml'), LexiconSchema),
    userDict: readFileSync(join(intentsDir, 'userdict.txt'), 'utf8'),
  };
}
