import { describe, expect, it } from 'vitest';
import { parseBroadcastCommand } from '../../src/broadcast/commands.js';

describe('/广播 as officials type it', () => {
  it('reads the README example: tags, channel, measures, Fuzhou time and title before the text', () => {
    expect(parseBroadcastCommand('/广播 #鼓楼区 @微信 措施3.1 定时2026-12-01 09:00 【技改申报提醒】技改补助开始申报，截至{validUntil}。')).toEqual({
      text: '技改补助开始申报，截至{validUntil}。',
      title: '技改申报提醒',
      measures: ['3.1'],
      targets: { channel: 'wechat', tags: ['鼓楼区'] },
      at: Date.parse('2026-12-01T09:00:00+08:00'),
    });
  });

  it('defaults to every WeChat group, sent now, and keeps a text that merely starts like an option', () => {
    expect(parseBroadcastCommand('／广播 明天下午三点在市工信局开座谈会')).toEqual({ text: '明天下午三点在市工信局开座谈会', targets: { channel: 'wechat' } });
    expect(parseBroadcastCommand('/广播 @飞书 #a #b 措施3.1、4 通知')).toEqual({ text: '通知', measures: ['3.1', '4'], targets: { channel: 'feishu', tags: ['a', 'b'] } });
  });

  it('asks for the text when there is none', () => {
    expect(parseBroadcastCommand('/广播 #鼓楼区 【只有标题】')).toEqual({ error: 'usage' });
    expect(parseBroadcastCommand('/广播')).toEqual({ error: 'usage' });
  });
});
