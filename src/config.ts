import { z } from 'zod';
import { SEGMENTER_NAMES, DEFAULT_SEGMENTER } from './nlu/index.js';

const port = z.coerce.number().int().min(0).max(65535);

/** Every setting the service reads from the environment, validated at start. */
export const ConfigSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DB_PATH: z.string().min(1).default('./data/bot.db'),
  SEGMENTER: z.enum(SEGMENTER_NAMES).default(DEFAULT_SEGMENTER),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DIALOG_IDLE_MINUTES: z.coerce.number().positive().default(60),
  POLICY_DOCUMENT: z.string().min(1).optional(),
  /** The folder of policy document folders (default policy/documents). */
  POLICY_DIR: z.string().min(1).optional(),
  /** Requests per minute from one IP address to any route but /healthz; 0 turns the limit off. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(6000),
  /** Questions per minute from one `user` of POST /api/ask; 0 turns the limit off. */
  USER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Reads the config; a bad value becomes one line naming the variable. */
export function readConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(cleaned[String(issue.path[0])])})`);
  }
  return parsed.data;
}
