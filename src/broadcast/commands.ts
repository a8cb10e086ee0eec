import { z } from 'zod';
import { BROADCAST_ROLES, type UserRoles } from '../admin/ports.js';
import type { Replies } from '../dialog/replies.js';
import type { Targets } from './ports.js';
import { BroadcastInputError, type BroadcastInput, type BroadcastService, type BroadcastView } from './service.js';

/**
 * "/广播" typed in a chat: options first, then the notice.
 *   /广播 #鼓楼区 @微信 措施3.1,4 定时2026-12-01 09:00 【申报提醒】技改补助开始申报……
 * #tag (any number) narrows to tagged groups; @微信 / @飞书 / @全部 picks the channel (default
 * 微信: the enterprise groups); 措施 attaches measures; 定时 schedules (Fuzhou time); a leading
 * 【…】 is the title.
 */
export const BROADCAST_COMMAND = '/广播';

const CHANNEL_WORDS: Record<string, Targets['channel']> = { '@微信': 'wechat', '@飞书': 'feishu', '@全部': 'all' };

/** What a confirm button carries back: the draft itself, so a confirm needs no server-side state. */
export const DraftSchema = z.object({
  text: z.string().min(1).max(4000),
  title: z.string().max(100).optional(),
  measures: z.array(z.string()).max(20).optional(),
  targets: z.object({ channel: z.enum(['wechat', 'feishu', 'all']), tags: z.array(z.string()).optional() }),
  at: z.number().optional(),
});
export type Draft = z.infer<typeof DraftSchema>;

export type CommandResult =
  | { kind: 'text'; text: string }
  | { kind: 'preview'; text: string; draft: Draft };

export interface Caller {
  channel: string;
  user: string;
  /** Where the command was typed: the summary comes back here. */
  chat: string;
}

export interface BroadcastCommandsDeps {
  broadcasts: BroadcastService;
  roles: UserRoles;
  replies: Replies;
}

export interface BroadcastCommands {
  isCommand(text: string): boolean;
  /** Parses and previews; nothing is sent until confirm. */
  preview(text: string, caller: Caller): CommandResult;
  /** Creates the broadcast from a previewed draft; the answer says how many chats it will reach. */
  confirm(draft: unknown, caller: Caller): string;
  /** The summary for whoever composed it, when sending is over. */
  summary(view: BroadcastView): string;
}

const SCHEDULE = /^定时(\d{4}-\d{1,2}-\d{1,2})(?:[ T]?(\d{1,2}:\d{2}))?$/;

/** "2026-12-01" + "09:00" in Fuzhou time (UTC+8) → epoch ms. */
function fuzhouTime(date: string, time = '09:00'): number {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  return Date.UTC(y, m - 1, d, hh - 8, mm);
}

export function parseBroadcastCommand(text: string): Draft | { error: 'usage' } {
  let rest = text.trim().replace(/^／/, '/').slice(BROADCAST_COMMAND.length).trim();
  const tags: string[] = [];
  let channel: Targets['channel'] = 'wechat';
  let measures: string[] | undefined;
  let at: number | undefined;
  // "定时2026-12-01 09:00" has a space inside: join it before splitting into options.
  rest = rest.replace(/^(.*?定时\d{4}-\d{1,2}-\d{1,2}) (\d{1,2}:\d{2})/, '$1T$2');
  for (;;) {
    const m = /^(\S+)\s*/.exec(rest);
    if (!m) break;
    const word = m[1];
    const schedule = SCHEDULE.exec(word);
    if (word.startsWith('#') && word.length > 1) tags.push(word.slice(1));
    else if (CHANNEL_WORDS[word]) channel = CHANNEL_WORDS[word];
    else if (/^措施[\d.,，、]+$/.test(word)) measures = word.slice(2).split(/[,，、]/).filter(Boolean);
    else if (schedule) at = fuzhouTime(schedule[1], schedule[2]);
    else break;
    rest = rest.slice(m[0].length);
  }
  const titled = /^【([^】]{1,100})】\s*/.exec(rest);
  const title = titled?.[1];
  const body = (titled ? rest.slice(titled[0].length) : rest).trim();
  if (!body) return { error: 'usage' };
  return { text: body, ...(title ? { title } : {}), ...(measures ? { measures } : {}), targets: { channel, ...(tags.length ? { tags } : {}) }, ...(at ? { at } : {}) };
}

export function createBroadcastCommands(deps: BroadcastCommandsDeps): BroadcastCommands {
  const { broadcasts, roles, replies } = deps;
  const mayBroadcast = (c: Caller) => {
    const role = roles.roleOf(c.channel, c.user);
    return !!role && BROADCAST_ROLES.includes(role);
  };
  const channelName = (c: string) => replies.render(c === 'wechat' ? 'broadcastChannelWechat' : c === 'feishu' ? 'broadcastChannelFeishu' : 'broadcastChannelAll');
  const input = (d: Draft, caller: Caller): BroadcastInput => ({ ...d, origin: `${caller.channel}:${caller.chat}` });

  return {
    isCommand: (text) => text.trim().replace(/^／/, '/').startsWith(BROADCAST_COMMAND),
    preview(text, caller) {
      if (!mayBroadcast(caller)) return { kind: 'text', text: replies.render('broadcastRefused') };
      const draft = parseBroadcastCommand(text);
      if ('error' in draft) return { kind: 'text', text: replies.render('broadcastUsage') };
      try {
        const p = broadcasts.preview(input(draft, caller));
        const byChannel = Object.entries(p.byChannel).map(([c, n]) => `${channelName(c)} ${n}`).join('，') || '0';
        const lines = [
          replies.render('broadcastPreviewAudience', { targets: p.targets, byChannel, tags: draft.targets.tags?.join('、') || replies.render('broadcastAllGroups') }),
          ...(p.skipped.length ? [replies.render('broadcastPreviewSkipped', { count: p.skipped.length, names: p.skipped.map((s) => s.name || s.chat).join('、') })] : []),
          replies.render('broadcastPreviewWhen', { when: draft.at ? new Date(draft.at + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : replies.render('broadcastNow') }),
          '',
          p.text,
        ];
        if (p.targets === 0) return { kind: 'text', text: [replies.render('broadcastNobody'), ...lines].join('\n') };
        return { kind: 'preview', text: lines.join('\n'), draft };
      } catch (e) {
        if (e instanceof BroadcastInputError) return { kind: 'text', text: e.message };
        throw e;
      }
    },
    confirm(raw, caller) {
      if (!mayBroadcast(caller)) return replies.render('broadcastRefused');
      const draft = DraftSchema.safeParse(raw);
      if (!draft.success) return replies.render('broadcastUsage');
      try {
        const created = broadcasts.create(input(draft.data, caller), `${caller.channel}:${caller.user}`);
        return replies.render('broadcastConfirmed', { targets: created.targets, id: created.id });
      } catch (e) {
        if (e instanceof BroadcastInputError) return e.message;
        throw e;
      }
    },
    summary(view) {
      return replies.render('broadcastSummary', {
        title: view.title ?? replies.render('broadcastUntitled'),
        sent: view.counts.sent, failed: view.counts.failed, uncertain: view.counts.uncertain, skipped: view.counts.skipped, id: view.id,
      });
    },
  };
}
