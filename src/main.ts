import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { loadPolicyDocuments, projectRoot, selectPolicyDocument, type PolicyDocument } from '../policy/index.js';
import { readConfig, type Config } from './config.js';
import { systemClock, type Clock } from './core/ports.js';
import { createDialogEngine, type DialogEngine } from './dialog/engine.js';
import { loadReplies } from './dialog/replies.js';
import type { ConversationState } from './dialog/state.js';
import { loadNlu } from './nlu/index.js';
import { buildServer } from './server/build-server.js';
import { openDatabase, type Db } from './store/database.js';
import { SqliteDialogStateStore, SqliteQuestionLog } from './store/sqlite-stores.js';

export interface Service {
  config: Config;
  doc: PolicyDocument;
  db: Db;
  engine: DialogEngine;
  server: FastifyInstance;
  close(): Promise<void>;
}

/** Wires everything from an environment-like record; starts nothing that listens. */
export async function createService(env: Record<string, string | undefined>, clock: Clock = systemClock): Promise<Service> {
  const config = readConfig(env);
  const root = projectRoot();
  const doc = selectPolicyDocument(loadPolicyDocuments(join(root, 'policy', 'documents')), config.POLICY_DOCUMENT);
  const replies = loadReplies(join(root, 'intents', 'replies.yaml'));
  const nlu = await loadNlu({ segmenter: config.SEGMENTER, root, doc });
  const db = openDatabase(config.DB_PATH);
  const engine = createDialogEngine({
    doc, nlu, replies, clock,
    states: new SqliteDialogStateStore<ConversationState>(db, () => clock.now()),
    questions: new SqliteQuestionLog(db),
    idleMs: config.DIALOG_IDLE_MINUTES * 60_000,
  });
  const server = await buildServer({ engine, doc, replies, logLevel: config.LOG_LEVEL });
  let closed = false;
  return {
    config, doc, db, engine, server,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      db.close();
    },
  };
}

async function run(): Promise<void> {
  let service: Service;
  try {
    service = await createService(process.env);
  } catch (e) {
    console.error(`policy-bot: cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
  const { server, config } = service;
  server.log.info({ segmenter: config.SEGMENTER, policy: service.doc.versionTag, db: config.DB_PATH }, 'policy brain loaded');
  // The channels are later work (issues 4 and 5); say so rather than ignore their settings silently.
  if (process.env.WECHATY_PUPPET) server.log.warn('WECHATY_PUPPET is set but this version has no WeChat channel yet; ignoring it');
  else server.log.info('wechat channel disabled: WECHATY_PUPPET is not set');
  if (process.env.FEISHU_APP_ID) server.log.warn('FEISHU_APP_ID is set but this version has no Feishu channel yet; ignoring it');
  else server.log.info('feishu channel disabled: FEISHU_APP_ID and FEISHU_APP_SECRET are not set');
  const stop = async (signal: string) => {
    server.log.info({ signal }, 'shutting down');
    await service.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await server.listen({ port: config.PORT, host: config.HOST });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void run();
