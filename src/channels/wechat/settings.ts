import { z } from 'zod';

/** Puppets installed with this project; any other name would fail at start when wechaty imports it. */
export const WECHAT_PUPPETS = ['wechaty-puppet-service', 'wechaty-puppet-wechat4u', 'wechaty-puppet-mock'] as const;
export type WechatPuppetName = (typeof WECHAT_PUPPETS)[number];

/** "a, b，c d" → ["a", "b", "c", "d"]: lists are written by hand in .env files and compose files. */
const list = z.string().transform((s) => s.split(/[,，\s]+/).map((x) => x.trim()).filter(Boolean));
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const SettingsSchema = z
  .object({
    WECHATY_PUPPET: z.enum(WECHAT_PUPPETS),
    WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(8).optional(),
    WECHATY_PUPPET_SERVICE_ENDPOINT: z.string().regex(/^[\w.-]+:\d{1,5}$/, 'expected host:port').optional(),
    WECHATY_PUPPET_SERVICE_AUTHORITY: z.string().regex(/^[\w.-]+(:\d{1,5})?$/, 'expected a host name').default('api.chatie.io'),
    WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: flag.optional(),
    // Names the session file (<data dir>/<name>.memory-card.json): one name per account.
    WECHAT_BOT_NAME: z.string().regex(/^[A-Za-z0-9][\w.-]{0,63}$/, 'letters, digits, "." "_" "-" only (it names a file)').default('policy-bot'),
    WECHAT_GROUP_KEYWORDS: list.default([]),
    WECHAT_USER_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(5),
    WECHAT_ADMINS: list.default([]),
    WECHAT_IGNORE_CONTACTS: list.default([]),
    WECHAT_MAX_MESSAGE_CHARS: z.coerce.number().int().min(200).max(4000).default(1000),
  })
  .superRefine((s, ctx) => {
    if (s.WECHATY_PUPPET === 'wechaty-puppet-service' && !s.WECHATY_PUPPET_SERVICE_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['WECHATY_PUPPET_SERVICE_TOKEN'], message: 'required when WECHATY_PUPPET=wechaty-puppet-service' });
    }
  });

export interface WechatSettings {
  puppet: WechatPuppetName;
  token?: string;
  endpoint?: string;
  /** Where a token is looked up when no endpoint is given. */
  authority: string;
  noTlsInsecureClient?: boolean;
  botName: string;
  /** A group message starting with one of these is answered without an @. */
  groupKeywords: string[];
  userRatePerMinute: number;
  /** Contact ids allowed to (un)subscribe any group, besides its owner and admins. */
  admins: string[];
  /** Contact ids never answered (other bots in the same groups). */
  ignoreContacts: string[];
  maxMessageChars: number;
}

export class WechatSettingsError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Secrets are named in errors but never echoed. */
const SECRET = /TOKEN/;

/** The channel's settings, or null when WECHATY_PUPPET is not set; a bad value throws one line naming the variable. */
export function readWechatSettings(env: Record<string, string | undefined>): WechatSettings | null {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && v.trim() !== '' && /^(WECHAT_|WECHATY_PUPPET)/.test(k)));
  if (!cleaned.WECHATY_PUPPET) return null;
  const parsed = SettingsSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    const got = SECRET.test(name) || cleaned[name] === undefined ? '' : ` (got ${JSON.stringify(cleaned[name])})`;
    throw new WechatSettingsError(`invalid configuration: ${name}: ${issue.message}${got}`);
  }
  const s = parsed.data;
  return {
    puppet: s.WECHATY_PUPPET,
    token: s.WECHATY_PUPPET_SERVICE_TOKEN,
    endpoint: s.WECHATY_PUPPET_SERVICE_ENDPOINT,
    authority: s.WECHATY_PUPPET_SERVICE_AUTHORITY,
    noTlsInsecureClient: s.WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT,
    botName: s.WECHAT_BOT_NAME,
    groupKeywords: s.WECHAT_GROUP_KEYWORDS,
    userRatePerMinute: s.WECHAT_USER_RATE_PER_MINUTE,
    admins: s.WECHAT_ADMINS,
    ignoreContacts: s.WECHAT_IGNORE_CONTACTS,
    maxMessageChars: s.WECHAT_MAX_MESSAGE_CHARS,
  };
}
