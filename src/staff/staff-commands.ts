import type { Clock } from '../core/ports.js';
import type { Replies } from '../dialog/replies.js';
import { CITY_UTC_OFFSET_MINUTES, DAY_MS, localParts, parsePeriod, type Period } from './period.js';
import type { DayCount, QuestionStats } from './question-stats.js';

export interface StaffCommandsDeps {
  stats: QuestionStats;
  replies: Replies;
  /** How replies name a measure ("第三条（鼓励实施技术改造）"). */
  measureName(id: string): string;
  clock: Clock;
  /** "/政策": the policy documents' state (src/lifecycle), when the service has one. */
  policyStatus?: () => string;
}

export interface StaffCaller {
  /** The channel decides who is staff (Feishu: the FEISHU_STAFF allowlist). */
  isStaff: boolean;
}

/** Staff commands over the question log. Channels route "/…" messages here instead of the dialog. */
export interface StaffCommands {
  isCommand(text: string): boolean;
  /** The reply to a command (a refusal for non-staff, usage for an unknown command). */
  run(text: string, caller: StaffCaller): string;
}

// Command names are part of the contract ("/统计", "/未解答", "/帮助").
const STATS = '/统计';
const UNANSWERED = '/未解答';
const HELP = '/帮助';
const POLICY = '/政策';
const TOP_MEASURES = 5;
const UNANSWERED_SHOWN = 10;
const QUOTE_MAX = 60;
/** Longer periods are listed per month instead of per day. */
const MAX_DAILY_LINES = 31;

export function createStaffCommands(deps: StaffCommandsDeps): StaffCommands {
  const { stats, replies, clock } = deps;

  const normalize = (text: string) => text.trim().replace(/^／/, '/');

  function dateLabel(t: number): string {
    const { month, day } = localParts(t);
    return replies.render('staffDate', { month, day });
  }

  function dailyLines(period: Period, rows: DayCount[]): string[] {
    const { from, to } = period.range;
    const spanDays = Math.ceil((to - from) / DAY_MS);
    if (spanDays <= MAX_DAILY_LINES) {
      const byDay = new Map(rows.map((r) => [r.day, r.count]));
      const lines: string[] = [];
      // Every day of the period, quiet days included: a zero is information too.
      for (let t = from; t < to; t += DAY_MS) {
        const iso = new Date(t + CITY_UTC_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
        lines.push(replies.render('staffStatsDayLine', { date: dateLabel(t), count: byDay.get(iso) ?? 0 }));
      }
      return lines;
    }
    const byMonth = new Map<string, number>();
    for (const r of rows) byMonth.set(r.day.slice(0, 7), (byMonth.get(r.day.slice(0, 7)) ?? 0) + r.count);
    return [...byMonth].map(([ym, count]) => replies.render('staffStatsDayLine', {
      date: replies.render('staffMonth', { year: Number(ym.slice(0, 4)), month: Number(ym.slice(5, 7)) }),
      count,
    }));
  }

  function statsReply(period: Period): string {
    const { range } = period;
    const totals = stats.totals(range);
    const header = replies.render('staffStatsHeader', {
      period: period.label, from: range.from > 0 ? dateLabel(range.from) : '—', to: dateLabel(range.to - 1),
    });
    if (totals.questions === 0 && totals.checks === 0) return [header, replies.render('staffStatsNone')].join('\n');
    const rate = totals.questions ? `${((totals.fallbacks / totals.questions) * 100).toFixed(1)}%` : '—';
    const lines = [
      header,
      replies.render('staffStatsTotals', { ...totals, fallbackRate: rate }),
      replies.render('staffStatsPerDayHeader'),
      ...dailyLines(period, stats.perDay(range, CITY_UTC_OFFSET_MINUTES)),
    ];
    const top = stats.topMeasures(range, TOP_MEASURES);
    if (top.length) {
      lines.push(replies.render('staffStatsTopHeader'));
      top.forEach((m, i) => lines.push(replies.render('staffStatsTopLine', { rank: i + 1, name: deps.measureName(m.measure), count: m.count })));
    }
    lines.push(replies.render('staffStatsFooter'));
    return lines.join('\n');
  }

  function unansweredReply(period: Period): string {
    const { fallbacks } = stats.totals(period.range);
    if (!fallbacks) return replies.render('staffUnansweredNone', { period: period.label });
    const rows = stats.recentFallbacks(period.range, UNANSWERED_SHOWN);
    const lines = [replies.render('staffUnansweredHeader', { period: period.label, total: fallbacks, shown: rows.length })];
    rows.forEach((r, i) => {
      const { hour, minute } = localParts(r.lastAt);
      const text = r.text.length > QUOTE_MAX ? `${r.text.slice(0, QUOTE_MAX)}…` : r.text;
      lines.push(replies.render('staffUnansweredLine', { rank: i + 1, text, count: r.count, last: `${dateLabel(r.lastAt)} ${hour}:${minute}` }));
    });
    lines.push(replies.render('staffUnansweredFooter'));
    return lines.join('\n');
  }

  function withPeriod(arg: string, reply: (p: Period) => string): string {
    const period = parsePeriod(arg, clock.now(), replies);
    return period ? reply(period) : replies.render('staffBadPeriod', { arg });
  }

  return {
    isCommand: (text) => normalize(text).startsWith('/'),
    run(text, caller) {
      if (!caller.isStaff) return replies.render('staffRefused');
      const command = normalize(text);
      // Longest name first, so a command name that prefixes another cannot shadow it.
      for (const [name, handle] of [
        [UNANSWERED, (arg: string) => withPeriod(arg, unansweredReply)],
        [STATS, (arg: string) => withPeriod(arg, statsReply)],
        [HELP, () => replies.render('staffHelp')],
        ...(deps.policyStatus ? [[POLICY, deps.policyStatus] as const] : []),
      ] as const) {
        if (command.startsWith(name)) return handle(command.slice(name.length).trim());
      }
      return replies.render('staffUnknownCommand', { command: command.split(/\s+/)[0] });
    },
  };
}
