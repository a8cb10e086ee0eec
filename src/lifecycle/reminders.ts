import { documentCitation, formatChineseDate, validityOn, type PolicyDocument } from '../../policy/index.js';
import type { Logger, StaffAlerts } from '../core/ports.js';
import type { ValidityTexts } from '../dialog/validity.js';

/** Days before the end date at which staff are reminded. */
export const REMINDER_DAYS = [30, 7, 1] as const;

/** Which reminders went out: a port, so "once" holds across restarts (SQLite in the service). */
export interface ReminderLog {
  /** True the first time; false when this threshold was already sent for this document and end date. */
  markSent(document: string, validUntil: string, days: number, at: number): boolean;
  sent(document: string, validUntil: string): number[];
}

export interface ReminderDeps {
  inForce(): PolicyDocument;
  today(): string;
  now(): number;
  log: ReminderLog;
  alerts: StaffAlerts;
  logger: Logger;
  texts: ValidityTexts;
}

export interface ExpiryReminders {
  /** Sends the reminder due today, if any and not sent before; returns the threshold sent. */
  tick(): Promise<number | undefined>;
  start(intervalMs: number): void;
  stop(): void;
}

/** The reminder and a ready broadcast command officials can send on ("/广播 …", previewed before it goes). */
export function reminderText(texts: ValidityTexts, doc: PolicyDocument, daysLeft: number): string {
  const alert = texts.render('reminderAlert', { citation: documentCitation(doc), validUntil: formatChineseDate(doc.validUntil), daysLeft });
  // The draft keeps {docTitle}/{validUntil}/{daysLeft}: the broadcaster fills them on the day it sends.
  return `${alert}\n${texts.render('reminderDraft')}`;
}

export function createExpiryReminders(deps: ReminderDeps): ExpiryReminders {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number | undefined> | undefined;

  async function check(): Promise<number | undefined> {
    const doc = deps.inForce();
    const v = validityOn(doc, deps.today());
    if (v.state !== 'active') return undefined;
    const due: number[] = REMINDER_DAYS.filter((d) => v.daysLeft <= d);
    if (!due.length) return undefined;
    // A service down over a threshold sends only the nearest one; the earlier ones are marked as passed.
    const nearest = Math.min(...due);
    const fresh = due.filter((d) => deps.log.markSent(doc.versionTag, doc.validUntil, d, deps.now()));
    if (!fresh.includes(nearest)) return undefined;
    const text = reminderText(deps.texts, doc, v.daysLeft);
    deps.logger.warn({ document: doc.versionTag, validUntil: doc.validUntil, daysLeft: v.daysLeft, threshold: nearest }, 'policy expiry reminder');
    await deps.alerts.alert(text).catch((e: Error) => deps.logger.error({ err: e }, 'could not send the policy expiry reminder'));
    return nearest;
  }

  return {
    tick() {
      // One check at a time: a slow alert must not let a second tick send the same reminder.
      running ??= check().finally(() => { running = undefined; });
      return running;
    },
    start(intervalMs) {
      void this.tick();
      timer = setInterval(() => void this.tick(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/** "/政策" for staff: every document's state today, the one in force marked. */
export function policyStatusText(texts: ValidityTexts, docs: readonly PolicyDocument[], inForce: PolicyDocument, today: string): string {
  const lines = [texts.render('staffPolicyHeader', { today: formatChineseDate(today) })];
  for (const doc of [inForce, ...docs.filter((d) => d !== inForce)]) {
    const v = validityOn(doc, today);
    const successor = docs.find((d) => d.supersedes === doc.id && d.validFrom <= today);
    const state = successor ? texts.render('staffStateSuperseded', { successor: successor.number ?? successor.id }) : v.state === 'upcoming' ? texts.render('staffStateUpcoming')
      : v.state === 'expired' ? texts.render('staffStateExpired', { daysAgo: -v.daysLeft })
        : v.daysLeft === 0 ? texts.render('staffStateLastDay') : texts.render('staffStateActive', { daysLeft: v.daysLeft });
    lines.push(texts.render('staffPolicyLine', {
      marker: doc === inForce ? texts.render('staffPolicyInForce') : '', citation: documentCitation(doc),
      validFrom: formatChineseDate(doc.validFrom), validUntil: formatChineseDate(doc.validUntil), state,
    }));
  }
  return lines.join('\n');
}
