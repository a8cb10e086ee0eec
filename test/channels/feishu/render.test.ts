// How answers look in Feishu: text for short answers, cards for measures and the eligibility check.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyDocuments, projectRoot, selectPolicyDocument } from '../../../policy/index.js';
import { cardJson, encodeMessage, escapeMarkdown } from '../../../src/channels/feishu/cards.js';
import { renderAnswer } from '../../../src/channels/feishu/render.js';
import type { Answer } from '../../../src/core/answer.js';
import { loadReplies } from '../../../src/dialog/replies.js';

const root = projectRoot();
const replies = loadReplies(join(root, 'intents', 'replies.yaml'));
const doc = selectPolicyDocument(loadPolicyDocuments(join(root, 'policy', 'documents')));
const ctx = { doc, replies, owner: 'ou_carol', version: 3 };

describe('renderAnswer', () => {
  it('sends a short answer as text', () => {
    const answer: Answer = { reply: '不客气！', intent: 'thanks', measures: [] };
    expect(renderAnswer(answer, ctx)).toEqual({ check: false, message: { kind: 'text', text: '不客气！' } });
  });

  it('draws a measure answer as a card with 查看原文 (asking for that article) and 开始资格测评', () => {
    const answer: Answer = { reply: '第三条（鼓励实施技术改造）的条件：…', intent: 'measure.conditions', measures: ['3.1'] };
    const { message, check } = renderAnswer(answer, ctx);
    expect(check).toBe(false);
    if (message.kind !== 'card') throw new Error('expected a card');
    expect(message.card.title).toBe('第三条（鼓励实施技术改造）');
    expect(message.card.buttons).toEqual([
      { label: '查看原文', value: { t: '第三条原文' } },
      { label: '开始资格测评', value: { t: '我们企业能享受哪些政策' }, primary: true },
    ]);
    const fullText = renderAnswer({ ...answer, intent: 'measure.fulltext' }, ctx).message;
    expect(fullText.kind === 'card' && fullText.card.buttons?.map((b) => b.label)).toEqual(['开始资格测评']);
  });

  it('draws a check step with its options, back and cancel, tied to the person and the card version', () => {
    const answer: Answer = {
      reply: '这是贵企业首次获得该认定吗？', intent: 'eligibility.answer', measures: [],
      dialog: { slot: 'firstTime', done: false }, actions: [{ label: '是', text: '是' }, { label: '不是', text: '不是' }],
    };
    const { message, check } = renderAnswer(answer, ctx);
    expect(check).toBe(true);
    if (message.kind !== 'card') throw new Error('expected a card');
    expect(message.card.title).toBe('政策测评');
    expect(message.card.buttons?.map((b) => [b.label, b.value])).toEqual([
      ['是', { t: '是', o: 'ou_carol', v: 3 }], ['不是', { t: '不是', o: 'ou_carol', v: 3 }],
      ['上一步', { t: '上一步', o: 'ou_carol', v: 3 }], ['取消', { t: '取消', o: 'ou_carol', v: 3 }],
    ]);
    const done = renderAnswer({ ...answer, dialog: { slot: null, done: true }, title: '政策测评结果', awards: [], actions: undefined }, ctx).message;
    expect(done.kind === 'card' && [done.card.title, done.card.buttons]).toEqual(['政策测评结果', []]);
  });
});

describe('cards', () => {
  it('are schema 2.0 shared cards with callback buttons', () => {
    const json = cardJson({ title: 'T', colour: 'blue', body: 'B', buttons: [{ label: '是', value: { t: '是' } }] }) as Record<string, any>;
    expect(json.schema).toBe('2.0');
    expect(json.config.update_multi).toBe(true);
    expect(json.body.elements[1].columns[0].elements[0]).toMatchObject({ tag: 'button', behaviors: [{ type: 'callback', value: { t: '是' } }] });
  });

  it('show the text literally, markdown characters included', () => {
    expect(escapeMarkdown('*加粗* <at id=all></at> [链接](x) 100%')).toBe('&#42;加粗&#42; &#60;at id=all&#62;&#60;/at&#62; &#91;链接&#93;(x) 100%');
  });

  it('fall back to text when too big for a card, and never exceed the text limit', () => {
    const long = '条'.repeat(20_000);
    expect(encodeMessage({ kind: 'card', card: { title: '原文', colour: 'blue', body: long } }).msgType).toBe('text');
    const huge = encodeMessage({ kind: 'text', text: '字'.repeat(100_000) });
    expect(Buffer.byteLength(huge.content)).toBeLessThan(150 * 1024);
  });
});
