// Plays every test/conversations/*.yaml file against POST /api/ask, once per segmenter,
// so dialog behaviour is specified as data that non-programmers can read and extend.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createService } from '../../src/main.js';

// ---------------------------------------------------------------- file format

// Restricting slots and measure ids to known values turns a typo in a YAML file into a
// validation error instead of an expectation that silently never matches.
const SLOTS = ['tier', 'firstTime', 'recognizedYear', 'industrial', 'provincialAward', 'techInvestment', 'digitalLevel'] as const;
const MeasureId = z.string().regex(/^([1-9]|10)(\.[1-3])?$/, 'a measure id such as "1" or "3.1"');
const Text = z.string().min(1);

const AskTurn = z.strictObject({
  user: Text,
  as: z.string().regex(/^[a-z][a-z0-9-]*$/).default('alice'),
  chat: z.string().regex(/^[a-z0-9-]+$/).default('group-1'),
  slot: z.enum(SLOTS).nullable().optional(),
  done: z.boolean().optional(),
  intent: Text.optional(),
  // Prefix of response.measures, most relevant first; [] means "about no measure".
  measures: z.array(MeasureId).optional(),
  // A nested list means "any one of these": the same fact has several natural spellings.
  reply_has: z.array(z.union([Text, z.array(Text).min(1)])).default([]),
  reply_lacks: z.array(Text).default([]),
  awards: z
    .array(
      z.strictObject({
        measure: MeasureId,
        eligible: z.boolean(),
        // Omitted: amount not checked; null: the document sets no amount.
        yuan: z.number().int().nonnegative().nullable().optional(),
      }),
    )
    .default([]),
  no_award: z.array(MeasureId).default([]),
});
const RestartTurn = z.strictObject({ restart: z.literal(true) });
// Turns are parsed one by one (below) rather than with z.union, whose error would only say
// "Invalid input" instead of naming the bad key.
const ConversationFile = z.strictObject({ name: Text, turns: z.array(z.record(z.string(), z.unknown())).min(1) });

type AskTurn = z.infer<typeof AskTurn>;
type Turn = AskTurn | z.infer<typeof RestartTurn>;
interface Conversation {
  name: string;
  turns: Turn[];
}

// The contract from design.md; checking it here makes a shape change fail loudly.
const AskResponse = z.object({
  reply: z.string(),
  intent: z.string(),
  measures: z.array(z.string()),
  confidence: z.number().optional(),
  awards: z
    .array(
      z.object({
        measure: z.string(),
        eligible: z.boolean(),
        yuan: z.number().nullable(),
        maxYuan: z.number().optional(),
        basis: z.string(),
      }),
    )
    .optional(),
  dialog: z.object({ slot: z.string().nullable(), done: z.boolean() }).optional(),
});
type AskResponse = z.infer<typeof AskResponse>;

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${where}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function loadConversation(path: string, file: string): Conversation {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid YAML: ${String(error)}`);
  }
  const { name, turns } = parseOrThrow(ConversationFile, raw, file);
  return {
    name,
    turns: turns.map((turn, i) => parseOrThrow<Turn>('restart' in turn ? RestartTurn : AskTurn, turn, `${file} turn ${i + 1}`)),
  };
}

// ---------------------------------------------------------------- checks

function problemsWith(turn: AskTurn, res: AskResponse): string[] {
  const problems: string[] = [];
  // An absent dialog also means "no pending question", which is what a cancel may return.
  const slot = res.dialog?.slot ?? null;
  if (turn.slot !== undefined && slot !== turn.slot) problems.push(`slot: expected ${turn.slot}, got ${slot}`);
  if (turn.done !== undefined && res.dialog?.done !== turn.done)
    problems.push(`dialog.done: expected ${turn.done}, got ${res.dialog?.done}`);
  if (turn.intent !== undefined && res.intent !== turn.intent)
    problems.push(`intent: expected ${turn.intent}, got ${res.intent}`);
  if (turn.measures !== undefined) {
    const head = turn.measures.length === 0 ? res.measures : res.measures.slice(0, turn.measures.length);
    if (JSON.stringify(head) !== JSON.stringify(turn.measures))
      problems.push(`measures: expected to start with ${JSON.stringify(turn.measures)}, got ${JSON.stringify(res.measures)}`);
  }
  for (const item of turn.reply_has) {
    const alternatives = typeof item === 'string' ? [item] : item;
    if (!alternatives.some((a) => res.reply.includes(a))) problems.push(`reply lacks ${alternatives.map((a) => `"${a}"`).join(' or ')}`);
  }
  for (const text of turn.reply_lacks) if (res.reply.includes(text)) problems.push(`reply contains "${text}"`);
  const awards = res.awards ?? [];
  for (const want of turn.awards) {
    const found = awards.some(
      (a) => a.measure === want.measure && a.eligible === want.eligible && (want.yuan === undefined || a.yuan === want.yuan),
    );
    if (!found) problems.push(`no award matching ${JSON.stringify(want)}`);
  }
  for (const measure of turn.no_award)
    if (awards.some((a) => a.measure === measure && a.eligible)) problems.push(`unexpected eligible award for measure ${measure}`);
  return problems;
}

// ---------------------------------------------------------------- running

type Service = Awaited<ReturnType<typeof createService>>;
type Segmenter = 'rs-jieba' | 'nodejieba';

const openService = (dbPath: string, segmenter: Segmenter): Promise<Service> =>
  createService({ DB_PATH: dbPath, SEGMENTER: segmenter, LOG_LEVEL: 'silent' });

interface Session {
  current(): Service;
  restart(): Promise<void>;
}

async function play(file: string, stem: string, conversation: Conversation, session: Session): Promise<void> {
  for (const [i, turn] of conversation.turns.entries()) {
    if ('restart' in turn) {
      await session.restart();
      continue;
    }
    // Ids carry the file name so conversations sharing one service never see each other's state.
    const payload = { text: turn.user, user: `${stem}-${turn.as}`, chat: `${stem}-${turn.chat}` };
    const http = await session.current().server.inject({ method: 'POST', url: '/api/ask', payload });
    const where = `${file} turn ${i + 1} (${turn.as} in ${turn.chat}): ${turn.user}`;
    if (http.statusCode !== 200) throw new Error(`${where}\nHTTP ${http.statusCode}: ${http.body}`);
    const res = parseOrThrow(AskResponse, http.json(), `${where}\nresponse ${http.body}\nbreaks the contract`);
    const problems = problemsWith(turn, res);
    if (problems.length > 0) {
      throw new Error(
        [where, ...problems.map((p) => `  - ${p}`), `reply:\n${res.reply}`, `response: ${JSON.stringify(res, null, 2)}`].join('\n'),
      );
    }
  }
}

const here = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
// Titles are read at collection time so the report names each conversation; a file that
// cannot be read here still gets its test, which then fails with the reason.
function titleOf(file: string): string {
  try {
    const name = z.object({ name: z.string() }).safeParse(parseYaml(readFileSync(join(here, file), 'utf8')));
    return name.success ? `${file}: ${name.data.name}` : file;
  } catch {
    return file;
  }
}

const SEGMENTERS: Segmenter[] = ['rs-jieba', 'nodejieba'];

describe.each(SEGMENTERS)('conversations with %s', (segmenter) => {
  // One service per segmenter: nodejieba alone takes over a second to load.
  let dir = '';
  let shared: Service | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `conversations-${segmenter}-`));
    shared = await openService(join(dir, 'bot.db'), segmenter);
  }, 60_000);
  afterAll(async () => {
    await shared?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds conversation files', () => {
    if (files.length === 0) throw new Error(`no *.yaml in ${here}`);
  });

  for (const file of files) {
    it(
      titleOf(file),
      async () => {
        const conversation = loadConversation(join(here, file), file);
        const stem = file.replace(/\.yaml$/, '');
        if (conversation.turns.some((t) => 'restart' in t)) {
          await playWithRestarts(file, stem, conversation, segmenter);
          return;
        }
        const service = shared;
        if (!service) throw new Error('the shared service did not start');
        await play(file, stem, conversation, {
          current: () => service,
          restart: () => Promise.reject(new Error('no restart turn expected')),
        });
      },
      60_000,
    );
  }
});

// A restart must find its state on disk, so the conversation gets a database and service of its own.
async function playWithRestarts(file: string, stem: string, conversation: Conversation, segmenter: Segmenter): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `conversation-${stem}-`));
  const dbPath = join(dir, 'bot.db');
  let service: Service | undefined = await openService(dbPath, segmenter);
  try {
    await play(file, stem, conversation, {
      current: () => {
        if (!service) throw new Error('the service did not reopen');
        return service;
      },
      restart: async () => {
        const closing = service;
        service = undefined; // never close twice if reopening fails
        await closing?.close();
        service = await openService(dbPath, segmenter);
      },
    });
  } finally {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
