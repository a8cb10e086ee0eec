import { readYamlFile } from '../../policy/yaml-file.js';
import { z } from 'zod';
import { fillTemplate } from '../../policy/index.js';

const KEYS = [
  'greeting', 'help', 'thanks', 'fallback', 'otherPlace', 'askWhichMeasure', 'list', 'listItem', 'amountList', 'amountListItem', 'recipientLead',
  'validityActive', 'validityLastDay', 'validityExpired', 'status', 'measureHeader', 'unitsLine', 'fullTextHint',
  'fulltext', 'noAmount', 'applyLead', 'unitsLead', 'amountLead', 'conditionsLead', 'computedLead', 'vatNet', 'ownLevelSays', 'notQualifiedLead',
  'dialogStart', 'dialogFactsTaken', 'dialogAsk', 'dialogNotUnderstood', 'dialogResume', 'dialogCancelled',
  'dialogRestarted', 'dialogBackAtStart', 'dialogBack', 'dialogExpired', 'dialogVersionChanged', 'dialogOfferPrivate',
  'dialogCarriedOver', 'wechatNonText', 'wechatThrottled', 'wechatUnsubscribed', 'wechatSubscribed', 'wechatSubscriptionRefused',
  'wechatLoggedOut', 'wechatScanNeeded', 'wechatFrequencyLimited', 'wechatStartFailed',
  'channelDown', 'channelBack', 'channelNameWechat', 'channelNameFeishu', 'broadcastEndedWithProblems',
  'resultHeader', 'resultEligible', 'resultNotEligible', 'resultNeedsInfo', 'resultUnknownDepends', 'resultOthers',
  'resultFooter', 'resultUnits', 'resultUnitsHeader', 'resultOutOfScope', 'resultTitle', 'quoteLine', 'givenValues',
  'broadcastTitle', 'broadcastValidityReminder', 'broadcastHalted', 'broadcastUncertain',
  'broadcastUsage', 'broadcastRefused', 'broadcastPreviewTitle', 'broadcastPreviewAudience', 'broadcastPreviewSkipped', 'broadcastPreviewWhen',
  'broadcastNow', 'broadcastAllGroups', 'broadcastChannelWechat', 'broadcastChannelFeishu', 'broadcastChannelAll', 'broadcastNobody',
  'broadcastConfirm', 'broadcastDiscard', 'broadcastDiscarded', 'broadcastConfirmed', 'broadcastSummaryTitle', 'broadcastSummary', 'broadcastUntitled',
  'feishuCheckTitle', 'feishuButtonFullText', 'feishuButtonStartCheck', 'feishuButtonBack', 'feishuButtonCancel',
  'feishuFullTextQuery', 'feishuStartCheckQuery', 'feishuCardStale', 'feishuNotYourCard', 'feishuNonText', 'feishuTooLong',
  'feishuError', 'feishuStaffAlert',
  'staffHelp', 'staffRefused', 'staffUnknownCommand', 'staffBadPeriod', 'staffPeriodRecent', 'staffPeriodToday',
  'staffPeriodYesterday', 'staffPeriodThisWeek', 'staffPeriodThisMonth', 'staffPeriodAll', 'staffDate', 'staffMonth',
  'staffStatsHeader', 'staffStatsNone', 'staffStatsTotals', 'staffStatsPerDayHeader', 'staffStatsDayLine', 'staffStatsTopHeader',
  'severalMeasuresTotal', 'dialogSettledSoFar', 'qualified', 'qualifiedWith', 'metSoFar', 'frequencyLead', 'frequencyNone', 'frequencyOnce', 'afterEndPart', 'clarify', 'clarifyTopic',
  'staffStatsTopLine', 'staffStatsFooter', 'staffUnansweredNone', 'staffUnansweredHeader', 'staffUnansweredLine', 'staffUnansweredFooter',
] as const;
export type ReplyKey = (typeof KEYS)[number];

const RepliesSchema = z.object(Object.fromEntries(KEYS.map((k) => [k, z.string().min(1)])) as Record<ReplyKey, z.ZodString>);

export interface Replies {
  render(key: ReplyKey, values?: Record<string, string | number>): string;
}

export function loadReplies(file: string): Replies {
  const parsed = RepliesSchema.safeParse(readYamlFile(file));
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `field "${i.path.join('.')}": ${i.message}`).join('; ')}`);
  }
  const templates = parsed.data as Record<ReplyKey, string>;
  return { render: (key, values = {}) => fillTemplate(templates[key], values) };
}
