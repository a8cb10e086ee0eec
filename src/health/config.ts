import { z } from 'zod';

const HealthConfigSchema = z.object({
  /** A channel whose connection stays lost this long is reported to the staff (once), and its return too. */
  CHANNEL_OUTAGE_ALERT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
});
export type HealthConfig = z.infer<typeof HealthConfigSchema>;

export function readHealthConfig(env: Record<string, string | undefined>): HealthConfig {
  const value = env.CHANNEL_OUTAGE_ALERT_SECONDS;
  const parsed = HealthConfigSchema.safeParse(value === undefined || value === '' ? {} : { CHANNEL_OUTAGE_ALERT_SECONDS: value });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: CHANNEL_OUTAGE_ALERT_SECONDS: ${issue.message} (got ${JSON.stringify(value)})`);
  }
  return parsed.data;
}
