import { z } from 'zod';

/** Operations settings (metrics, retention, pseudonyms), read from the environment at start. */
export const OpsConfigSchema = z.object({
  /** Question-log rows (and idle dialog states) older than this many days are deleted daily. */
  QUESTION_LOG_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  /** Set: /metrics is also served without a token on METRICS_HOST:METRICS_PORT (keep it on a private interface). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** The key behind pseudonymous user ids; by default one is made and kept in the database. */
  PSEUDONYM_KEY: z.string().min(16, 'PSEUDONYM_KEY must be at least 16 characters').optional(),
});
export type OpsConfig = z.infer<typeof OpsConfigSchema>;

export function readOpsConfig(env: Record<string, string | undefined>): OpsConfig {
  const cleaned = Object.fromEntries(Object.keys(OpsConfigSchema.shape).filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = OpsConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
