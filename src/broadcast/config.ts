import { z } from 'zod';
import type { Pacing } from './pacing.js';

const ms = z.coerce.number().int().min(0);

/** Broadcast settings, read from the environment at start (a bad value stops the service). */
export const BroadcastConfigSchema = z.object({
  /** Seeds an admin token for a first deployment; more are made with `npm run admin -- token create`. */
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  BROADCAST_POLL_MS: ms.default(1000),
  WECHAT_BROADCAST_MIN_GAP_MS: ms.default(4000),
  WECHAT_BROADCAST_MAX_GAP_MS: ms.default(9000),
  WECHAT_BROADCAST_PAUSE_EVERY: z.coerce.number().int().min(0).default(20),
  WECHAT_BROADCAST_PAUSE_MS: ms.default(120_000),
  FEISHU_BROADCAST_GAP_MS: ms.default(250),
  /** How long to leave a platform alone after it says "too frequent". */
  BROADCAST_HALT_HOURS: z.coerce.number().positive().default(6),
  BROADCAST_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
});
export type BroadcastConfig = z.infer<typeof BroadcastConfigSchema>;

export function readBroadcastConfig(env: Record<string, string | undefined>): BroadcastConfig {
  const cleaned = Object.fromEntries(Object.keys(BroadcastConfigSchema.shape).filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = BroadcastConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const c = parsed.data;
  if (c.WECHAT_BROADCAST_MAX_GAP_MS < c.WECHAT_BROADCAST_MIN_GAP_MS) throw new Error('invalid configuration: WECHAT_BROADCAST_MAX_GAP_MS is below WECHAT_BROADCAST_MIN_GAP_MS');
  return c;
}

export function pacingFrom(c: BroadcastConfig): Record<string, Pacing> {
  return {
    wechat: { minGapMs: c.WECHAT_BROADCAST_MIN_GAP_MS, maxGapMs: c.WECHAT_BROADCAST_MAX_GAP_MS, longPauseEvery: c.WECHAT_BROADCAST_PAUSE_EVERY, longPauseMs: c.WECHAT_BROADCAST_PAUSE_MS },
    feishu: { minGapMs: c.FEISHU_BROADCAST_GAP_MS, maxGapMs: c.FEISHU_BROADCAST_GAP_MS, longPauseEvery: 0, longPauseMs: 0 },
  };
}
