import { createRequire } from 'node:module';
import type { Lexicon } from './knowledge.js';

const require = createRequire(import.meta.url);
type Convert = (text: string) => string;

let toSimplified: Convert | undefined;
/** opencc's traditional→simplified tables, built once per process (about 40 ms). */
function traditionalToSimplified(): Convert {
  if (!toSimplified) {
    const OpenCC = require('opencc-js/t2cn') as { Converter(o: { from: string; to: string }): Convert };
    toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });
  }
  return toSimplified;
}

/** Longest first, so "啥子" wins over "啥". English terms match whole words only ("ip", not "vip"). */
export function replacementPairs(lexicon: Lexicon): [string | RegExp, string][] {
  const english = Object.entries(lexicon.englishTerms)
    .sort((a, b) => b[0].length - a[0].length)
    .map(([en, zh]): [RegExp, string] => [new RegExp(`(?<![a-z])${en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z])`, 'g'), zh]);
  return [...english, ...Object.entries(lexicon.replacements).sort((a, b) => b[0].length - a[0].length)];
}

const MENTION = /(^|\s)@[^\s\u2005]+[\s\u2005]*/g;
// Emoji, pictographs, zero-width and control characters carry no meaning for the question.
const THOUSANDS = /^\d{1,3}(?:\s+\d{3})+$/;
const THOUSANDS_COMMA = /^\d{1,3}(?:,\d{3})+$/;
const UNIT_AFTER_LIST = /(?<![\d.])\d{1,4}(?:\.\d+)?(?:\s*(?:[,/]|和|及|与|\s)\s*\d{1,4}(?:\.\d+)?)+\s*(万)/g;
const DECORATION = /[\p{Extended_Pictographic}\u200b-\u200f\u2060\ufe0f\p{Cc}【】〔〕'`~^*#|<>{}[\]]/gu;
// Quotes and title marks inside a clause ("省级“专精特新”中小企业") are dropped without a break.
const QUOTES = /[《》「」『』“”"]/g;

/**
 * The text every later step sees: half-width, simplified, typos fixed, mentions and
 * decoration gone, numbers whole ("3,500,000" → "3500000"), Chinese punctuation as ASCII.
 */
export function normalizeText(raw: string, replacements: readonly [string | RegExp, string][]): string {
  let text = raw.normalize('NFKC');
  text = text.replace(MENTION, ' ');
  text = traditionalToSimplified()(text);
  text = text.replace(/。/g, '.').replace(/、/g, ',').replace(/～/g, '~');
  text = text.replace(/\d+(?:,\d+)+/g, (run) => (THOUSANDS_COMMA.test(run) ? run.replace(/,/g, '') : run));
  // "3 500 000": groups of three digits; "31 45 29 60家" and "60 80 90 110万" stay lists.
  text = text.replace(/\d+(?:\s+\d+)+/g, (run) => (THOUSANDS.test(run) ? run.replace(/\s+/g, '') : run));
  text = text.replace(QUOTES, '').replace(DECORATION, ' ');
  // "企业40家银行6家": the figure belongs to the word before it, not to "银行" after it.
  text = text.replace(/(企业|银行|金融机构)(\d+|[一二两三四五六七八九十]+)(家|个)(?=(?:企业|银行|金融机构)(?:\d|[一二两三四五六七八九十]))/g, '$1$2$3 ');
  text = text.toLowerCase();
  text = plainNumbers(text);
  const latin = /[a-z]/.test(text);
  for (const [from, to] of replacements) {
    if (typeof from !== 'string') {
      if (latin) text = text.replace(from, to);
    }
    else if (text.includes(from)) text = text.split(from).join(to);
  }
  return text.replace(/\s+/g, ' ').trim();
}

const CN_NUM = '[0-9一二两三四五六七八九十百千]';
/**
 * Chat shorthand for amounts, read as the figure it names: "85w" → "85万", "两个多亿" → "两亿",
 * "一百二十来万" → "一百二十万" (an approximate figure is taken at its stated value).
 */
const DIGIT_NAMES = '零一二三四五六七八九';

// Banker's numerals ("七十伍万", "叁场"), read only next to a numeral or a measure word ("队伍" stays).
const FINANCIAL_DIGITS: Record<string, string> = { 壹: '一', 贰: '二', 叁: '三', 肆: '四', 伍: '五', 陆: '六', 柒: '七', 捌: '八', 玖: '九', 拾: '十', 佰: '百', 仟: '千' };
const FINANCIAL = new RegExp(`[${Object.keys(FINANCIAL_DIGITS).join('')}](?=[零一二两三四五六七八九十百千万亿元家场个年级${Object.keys(FINANCIAL_DIGITS).join('')}])|(?<=[零一二两三四五六七八九十百千${Object.keys(FINANCIAL_DIGITS).join('')}])[${Object.keys(FINANCIAL_DIGITS).join('')}]`, 'g');
const NEXT_DIGIT: Record<string, string> = { 一: '二', 二: '三', 三: '四', 四: '五', 五: '六', 六: '七', 七: '八', 八: '九' };

const SHORTHAND_W = new RegExp(`(${CN_NUM}|\\d)\\s*个?\\s*w(?![a-z])`, 'g');
const ABOUT_BIG = new RegExp(`(${CN_NUM})个?(?:多|来|余|几)个?([万亿])`, 'g');
const ABOUT_COUNT = new RegExp(`(${CN_NUM})(?:多|来|余|几)(个|家|场)`, 'g');
const GE_BIG = new RegExp(`(${CN_NUM}|\\d)个([万亿])`, 'g');

// Every rewrite in plainNumbers needs one of these characters (a digit, a Chinese or banker's
// numeral, 含, a currency sign) to match: a text without any is returned as it is, unscanned (about
// 6 texts in 10). A rewrite added there that needs none of them must add its character here.
const NUMERIC = /[0-9零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟含¥￥]/;

export function plainNumbers(text: string): string {
  if (!NUMERIC.test(text)) return text;
  return text
    .replace(FINANCIAL, (c) => FINANCIAL_DIGITS[c])
    // "二五年", "24年" (a year said by its last two digits) → "2025年", "2024年".
    // Only where a year of recognition or of spending follows: "干了20年" stays twenty years.
    .replace(/(?<![\d.])(2\d)年(?=首|头|第一|认定|评|获|入选|底|初|度|省|国家|小巨人|专精|被|通过|申报|的省|的国家|的专精|投|设备|办)/g, '20$1年')
    .replace(/(?<![0-9零〇一二两三四五六七八九十百千])([二])([零〇一二三四五六七八九])年/g, (_, a: string, b: string) => `20${'零一二三四五六七八九'.indexOf(a)}${b === '〇' ? 0 : '零一二三四五六七八九'.indexOf(b)}年`)
    // "四五十家", "六七家", "一百五六十万": a spoken range is taken at its lower end.
    .replace(/(?<![零一二两三四五六七八九])([一二三四五六七八])([二三四五六七八九])(?=[十百千万家场个])/g, (m, a: string, b: string) => (NEXT_DIGIT[a] === b ? a : m))
    // "2,500,000": thousands separators ("60,80,90,110万" is a list).
    .replace(/\d+(?:,\d+)+/g, (run) => (THOUSANDS_COMMA.test(run) ? run.replace(/,/g, '') : run))
    // "分别是60 80 90 110万": the unit said once at the end of a list belongs to every figure in it.
    .replace(UNIT_AFTER_LIST, (run, unit: string) => run.replace(/(\d+(?:\.\d+)?)(?![\d.万])/g, `$1${unit}`).slice(0, -unit.length) + unit)
    // "含13%增值税", "含百分之十三的增值税": the amount includes VAT (at the rate said, where in digits).
    .replace(/含\s*(\d+(?:\.\d+)?)%\s*的?增值税/g, '含增值税(税率$1个点)')
    .replace(/含\s*百分之[一二三四五六七八九十]+\s*的?增值税/g, '含增值税')
    // "￥800,000" → "800000元".
    .replace(/[¥￥]\s*(\d+(?:\.\d+)?)/g, '$1元')
    // "3.5 million", "3.1m" → "350万", "310万"; "1.2kw" (千万) → "1200万"; "900k" → "90万".
    .replace(/(\d+(?:\.\d+)?)\s*(?:million|mio|mn|m)(?![a-z])/g, (_, n: string) => `${Number((Number(n) * 100).toFixed(4))}万`)
    .replace(/(\d+(?:\.\d+)?)\s*kw(?![a-z])/g, (_, n: string) => `${Number((Number(n) * 1000).toFixed(4))}万`)
    .replace(/(\d+(?:\.\d+)?)\s*k(?![a-z0-9])/g, (_, n: string) => `${Number((Number(n) / 10).toFixed(4))}万`)
    // "2百8十万": digits inside a Chinese numeral read as Chinese digits.
    .replace(/(?<![\d.])\d(?=[百千十][\d一二三四五六七八九万亿])|(?<=[百千十])\d/g, (d) => DIGIT_NAMES[Number(d)])
    // "35家企业6家行": banks, said short (not "三家行业协会").
    .replace(/(\d+|[一二两三四五六七八九十]+)家行(?![业政长动])/g, '$1家银行')
    // "两块加一起", "两块合计", "两块分别多少": the two parts asked about, not two yuan.
    .replace(/([两二三])块(?=加|合|总|一起|都|分别|各)/g, '$1项')
    .replace(SHORTHAND_W, '$1万')
    .replace(ABOUT_BIG, '$1$2')
    .replace(ABOUT_COUNT, '$1$2')
    .replace(GE_BIG, '$1$2');
}
