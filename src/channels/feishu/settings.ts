import { z } from 'zod';

/** The Feishu settings after validation. Names of the variables are part of the contract (README). */
export interface FeishuSettings {
  appId: string;
  appSecret: string;
  /** 'feishu', 'lark' or a base URL such as http://127.0.0.1:4000 (tests, private deployments). */
  domain: 'feishu' | 'lark' | string;
  mode: 'ws' | 'webhook';
  encryptKey?: string;
  verificationToken?: string;
  /** open_ids allowed to use the staff commands. */
  staff: ReadonlySet<string>;
  /** The chat that receives staff alerts. */
  staffChat?: string;
}

const optionalText = z.string().trim().min(1).optional();
const list = (pattern: RegExp, what: string) =>
  z.string().optional().transform((v, ctx) => {
    const items = (v ?? '').split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean);
    const bad = items.find((i) => !pattern.test(i));
    if (bad) ctx.addIssue({ code: 'custom', message: `"${bad}" is not ${what}` });
    return items;
  });

const Schema = z.object({
  FEISHU_APP_ID: z.string().trim().min(1),
  FEISHU_APP_SECRET: z.string().trim().min(1),
  FEISHU_DOMAIN: z.string().trim().default('feishu').transform((v, ctx) => {
    const lower = v.toLowerCase();
    if (lower === 'feishu' || lower === 'lark') return lower;
    if (/^https?:\/\/[^\s/]+(\/[^\s]*)?$/i.test(v)) return v.replace(/\/+$/, '');
    ctx.addIssue({ code: 'custom', message: `must be feishu, lark or an http(s) base URL, got "${v}"` });
    return z.NEVER;
  }),
  FEISHU_MODE: z.enum(['ws', 'webhook'], { error: 'must be ws (long connection) or webhook' }).default('ws'),
  FEISHU_ENCRYPT_KEY: optionalText,
  FEISHU_VERIFICATION_TOKEN: optionalText,
  FEISHU_STAFF: list(/^ou_[\w-]+$/, 'an open_id (ou_…)'),
  FEISHU_STAFF_CHAT: z.string().trim().regex(/^oc_[\w-]+$/, 'must be a chat id (oc_…)').optional(),
});

/** The long connection refuses other app ids silently (WSClient.start logs and returns). */
const WS_APP_ID = /^cli_[0-9a-fA-F]{16}$/;

/**
 * Reads FEISHU_* from the environment. Null when the channel is not configured (either credential
 * missing); throws one English line naming the variable when a value is wrong. Secrets are never echoed.
 */
export function readFeishuSettings(env: Record<string, string | undefined>): FeishuSettings | null {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('FEISHU_') && v !== undefined && v.trim() !== ''),
  );
  if (!cleaned.FEISHU_APP_ID || !cleaned.FEISHU_APP_SECRET) return null;
  const parsed = Schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const s = parsed.data;
  if (s.FEISHU_MODE === 'ws' && !WS_APP_ID.test(s.FEISHU_APP_ID)) {
    throw new Error(`invalid configuration: FEISHU_APP_ID: the long connection (FEISHU_MODE=ws) needs an app id like cli_ followed by 16 hex digits, got "${s.FEISHU_APP_ID}"`);
  }
  if (s.FEISHU_MODE === 'webhook' && !s.FEISHU_ENCRYPT_KEY && !s.FEISHU_VERIFICATION_TOKEN) {
    throw new Error('invalid configuration: FEISHU_ENCRYPT_KEY: FEISHU_MODE=webhook needs FEISHU_ENCRYPT_KEY (recommended) or FEISHU_VERIFICATION_TOKEN, otherwise anyone could post events');
  }
  return {
    appId: s.FEISHU_APP_ID,
    appSecret: s.FEISHU_APP_SECRET,
    domain: s.FEISHU_DOMAIN,
    mode: s.FEISHU_MODE,
    encryptKey: s.FEISHU_ENCRYPT_KEY,
    verificationToken: s.FEISHU_VERIFICATION_TOKEN,
    staff: new Set(s.FEISHU_STAFF),
    staffChat: s.FEISHU_STAFF_CHAT,
  };
}

/** Which credential is missing, for the one log line of a disabled channel. */
export function missingCredential(env: Record<string, string | undefined>): string {
  const has = (k: string) => !!env[k]?.trim();
  if (!has('FEISHU_APP_ID') && !has('FEISHU_APP_SECRET')) return 'FEISHU_APP_ID and FEISHU_APP_SECRET are not set';
  return `${has('FEISHU_APP_ID') ? 'FEISHU_APP_SECRET' : 'FEISHU_APP_ID'} is not set`;
}
