import { z } from 'zod';

export const MAX_TEXT = 1000;

export const AskBody = z.object({
  text: z.string().trim().min(1, '问题不能为空').max(MAX_TEXT, `问题不能超过${MAX_TEXT}个字`),
  user: z.string().trim().min(1, 'user 不能为空').max(200),
  chat: z.string().trim().min(1).max(200).optional(),
});

const Award = z.object({
  measure: z.string(),
  eligible: z.boolean(),
  yuan: z.number().nullable(),
  maxYuan: z.number().optional(),
  basis: z.string(),
  status: z.enum(['eligible', 'not_eligible', 'needs_info', 'expired']),
  title: z.string(),
});

export const AskResponse = z.object({
  reply: z.string(),
  intent: z.string(),
  measures: z.array(z.string()),
  confidence: z.number().optional(),
  awards: z.array(Award).optional(),
  dialog: z.object({ slot: z.string().nullable(), done: z.boolean() }).optional(),
});

export const ErrorResponse = z.object({ error: z.string(), message: z.string() });

export const MeasureSummary = z.object({ id: z.string(), title: z.string(), parent: z.string().optional(), units: z.array(z.string()) });
export const MeasureDetail = MeasureSummary.extend({
  name: z.string(),
  text: z.string(),
  children: z.array(z.string()),
  awards: z.array(z.object({ id: z.string(), title: z.string(), summary: z.string() })),
});

export const EligibilityBody = z
  .object({
    tier: z.enum(['none', 'innovative', 'provincial', 'little_giant', 'champion']),
    firstTime: z.boolean().optional(),
    recognizedYear: z.number().int().min(1990).max(2100).optional(),
    industrial: z.boolean().optional(),
    provincialAward: z.number().nonnegative().max(1e10).optional(),
    techInvestment: z.number().nonnegative().max(1e12).optional(),
    digitalLevel: z.number().int().min(0).max(5).optional(),
  })
  .strict();

export const EligibilityResponse = z.object({
  reply: z.string(),
  awards: z.array(Award),
  missing: z.array(z.string()),
  validUntil: z.string(),
  /** True once the document has expired: the result is for reference only. */
  referenceOnly: z.boolean().optional(),
});
