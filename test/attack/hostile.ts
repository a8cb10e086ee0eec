// What hostile or careless senders type, as fast-check arbitraries shared by the attack tests.
import fc from 'fast-check';

/** Injection attempts against SQL, the reply templates, JS, paths, formats and prototypes. */
export const FRAGMENTS = [
  "'; DROP TABLE dialog_states; --",
  "' OR '1'='1",
  'Robert"); DELETE FROM question_log; --',
  '{docTitle}', '{status}', '{facts}', '{list}', '{{docTitle}}', '${x}', '${process.exit()}', '#{7*7}', '{{constructor.constructor("return process")()}}',
  '<script>alert(document.cookie)</script>', '<img src=x onerror=alert(1)>',
  '../../../../etc/passwd', '%s%s%s%n', '%00', '\\u0000', 'undefined', 'null', 'NaN', 'Infinity', '-1e309', '9'.repeat(400),
  '__proto__', 'constructor', 'prototype', '{"__proto__":{"polluted":true}}',
  '\u202e\u2066', '\u200b\u200c\u200d\ufeff', '\u0000\u0001\u0007\u001b[31m', '\r\n\r\nHTTP/1.1 200 OK', '\ud800', '\udfff\ud800',
  '@政策助手 ', '@所有人 ', '@\u2005', '＠＠＠',
  '🙏🙏🙏', '👨‍👩‍👧‍👦', '🏳️‍🌈', '̷̨̛͔̫̗̓̆̄Z̶̢̬̿a̵̡͚̽l̴̝͗g̵̢̓o̴͍̊',
  '補貼門檻', '专精特心', '技改　补贴　（全角）', '１２３４５６７８９０万',
];

/** Real questions, to be mixed with the fragments: hostile input usually rides on a real one. */
export const QUESTIONS = [
  '技改补助需要什么条件？', '小巨人配套奖励多少？', '有效期到什么时候', '我们能享受哪些政策', '第三条讲的什么',
  '省里奖励100万，市里配套多少', '政银企对接会怎么申报', '你好', '责任单位是谁',
];

/** Any text: every Unicode code point (lone surrogates included), graphemes, emoji, control characters. */
export const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', '\u200b', '\ufeff'), maxLength: 40 }),
  fc.array(fc.constantFrom(...FRAGMENTS, ...QUESTIONS), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(' ')),
  fc.tuple(fc.constantFrom(...QUESTIONS), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(...FRAGMENTS))
    .map(([q, noise, frag]) => `${noise}${q}${frag}`),
);

/** Any JSON value, for bodies and fields of the wrong type. */
export const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, '', [], {}, [[[[[]]]]]),
);
