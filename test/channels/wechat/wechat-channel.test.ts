// The WeChat channel end to end: real wechaty on wechaty-puppet-mock, the real service
// (NLU, dialog engine, SQLite file). Assertions are about what people in the chats see.
import { afterEach, describe, expect, it } from 'vitest';
import { WechatSendError } from '../../../src/channels/wechat/wechat-channel.js';
import { BOT_NAME, startHarness, until, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A result line of the eligibility check: "✅ 第三条（…） …". */
const line = (mark: '✅' | '❌', measure: string) => new RegExp(`${mark} ${measure}（`);

describe('WeChat group', () => {
  it('answers an @-mention, mentioning the asker, and records the group', async () => {
    h = await startHarness();
    h.sayInGroup(h.alice, '小巨人配套奖励多少？');
    await until(() => h!.inRoom().length === 1, 'the answer in the group');
    const [answer] = h.inRoom();
    expect(answer.startsWith('@Alice')).toBe(true);
    expect(answer).toContain('50%');
    expect(answer).not.toContain(`@${BOT_NAME}`);

    const group = h.chats.get('wechat', h.room.id);
    expect(group).toMatchObject({ kind: 'group', name: '鼓楼区专精特新企业群', members: 5, subscribed: true });
    expect(group!.firstSeen).toBeLessThanOrEqual(group!.lastSeen);
  });

  it('stays quiet without a mention, but answers a message starting with a configured keyword', async () => {
    h = await startHarness({ env: { WECHAT_GROUP_KEYWORDS: '政策,问政策' } });
    h.sayInGroup(h.bob, '小巨人配套奖励多少？', false);
    h.sayInGroup(h.bob, '大家下午好', false);
    h.sayInGroup(h.bob, '政策：技改补助需要什么条件？', false);
    await until(() => h!.inRoom().length === 1, 'the keyword-triggered answer');
    // Bob's messages are handled in order: the two before were seen and left alone.
    h.sayInGroup(h.bob, '政策有效期到什么时候', false);
    await until(() => h!.inRoom().length === 2, 'the second keyword-triggered answer');
    const [upgrade, validity] = h.inRoom();
    expect(upgrade.startsWith('@Bob')).toBe(true);
    expect(upgrade).toContain('300万元');
    expect(validity).toContain('2026年12月31日');
  });

  it('runs two members\u2019 eligibility checks at the same time, each getting their own result', async () => {
    h = await startHarness();
    const { alice, bob } = h;
    const steps: [string, string][] = [
      ['我们能享受哪些政策', '帮我算算能拿多少补贴'],
      ['省级专精特新', '单项冠军'],
      ['不是', '250万'],
      ['400万', '二级'],
      ['一级', ''],
    ];
    let expected = 0;
    for (const [fromAlice, fromBob] of steps) {
      // Both speak before either is answered.
      h.sayInGroup(alice, fromAlice);
      expected++;
      if (fromBob) {
        h.sayInGroup(bob, fromBob);
        expected++;
      }
      await until(() => h!.inRoom().length === expected, `${expected} answers`);
    }
    const toAlice = h.inRoom().filter((m) => m.startsWith('@Alice'));
    const toBob = h.inRoom().filter((m) => m.startsWith('@Bob'));
    expect(toAlice).toHaveLength(5);
    expect(toBob).toHaveLength(4);
    // The first answer offers a private chat, to keep the group quiet.
    expect(toAlice[0]).toContain('私聊');
    const aliceResult = toAlice.at(-1)!;
    const bobResult = toBob.at(-1)!;
    expect(aliceResult).toContain('测评结果');
    expect(aliceResult).toMatch(line('✅', '第三条'));
    expect(aliceResult).toMatch(line('❌', '第四条'));
    expect(bobResult).toContain('测评结果');
    expect(bobResult).toMatch(line('❌', '第三条'));
    expect(bobResult).toMatch(line('✅', '第四条'));
  });

  it('ignores its own messages and another bot\u2019s, and answers a message delivered twice only once', async () => {
    // Carol stands for another bot in the group.
    h = await startHarness({ env: { WECHAT_IGNORE_CONTACTS: 'wxid_carol' } });
    // The account's owner typing on the phone: the bot itself speaks, even @-ing itself.
    h.sayInGroup(h.bot, '小巨人配套奖励多少？');
    h.sayInGroup(h.carol, '有哪些措施');
    h.sayInGroup(h.alice, '技改补助需要什么条件？');
    // What the bot account says in the group, apart from the owner's own line.
    const answers = () => h!.inRoom().filter((m) => !m.startsWith(`@${BOT_NAME}`));
    await until(() => answers().length === 1, 'the answer to Alice');
    const question = h.sent.find((m) => m.from === h!.alice.id)!;
    h.puppet.emit('message', { messageId: question.id });
    h.sayInGroup(h.alice, '政策有效期到什么时候');
    await until(() => answers().length >= 2, 'the answer to the next question');
    expect(answers()).toHaveLength(2);
    expect(answers()[0]).toContain('300万元');
    expect(answers()[1]).toContain('2026年12月31日');
    expect(answers().every((m) => m.startsWith('@Alice'))).toBe(true);
    expect(h.inRoom()).toHaveLength(3);
  });

  it('lets the owner or an admin unsubscribe and resubscribe the group, and politely refuses others', async () => {
    h = await startHarness();
    const subscribed = () => h!.chats.get('wechat', h!.room.id)?.subscribed;
    h.sayInGroup(h.carol, '退订通知');
    await until(() => h!.inRoom().length === 1, 'the refusal');
    expect(h.inRoom()[0]).toMatch(/^@Carol .*只有群主或群管理员/);
    expect(subscribed()).toBe(true);

    h.sayInGroup(h.owner, '退订通知');
    await until(() => h!.inRoom().length === 2, 'the confirmation');
    expect(h.inRoom()[1]).toContain('已退订');
    expect(subscribed()).toBe(false);

    h.sayInGroup(h.owner, '订阅通知');
    await until(() => h!.inRoom().length === 3, 'the second confirmation');
    expect(h.inRoom()[2]).toContain('已订阅');
    expect(subscribed()).toBe(true);
  });

  it('accepts the command from a group admin the puppet reports and from WECHAT_ADMINS', async () => {
    h = await startHarness({ groupAdmins: ['wxid_bob'], env: { WECHAT_ADMINS: 'wxid_carol' } });
    h.sayInGroup(h.bob, '退订通知');
    await until(() => h!.inRoom().length === 1, 'the group admin\u2019s confirmation');
    expect(h.inRoom()[0]).toContain('已退订');
    expect(h.chats.get('wechat', h.room.id)?.subscribed).toBe(false);
    h.sayInGroup(h.carol, '订阅通知');
    await until(() => h!.inRoom().length === 2, 'the service admin\u2019s confirmation');
    expect(h.inRoom()[1]).toContain('已订阅');
    expect(h.chats.get('wechat', h.room.id)?.subscribed).toBe(true);
  });

  it('throttles a burst from one member with a single polite notice', async () => {
    h = await startHarness({ env: { WECHAT_USER_RATE_PER_MINUTE: '3' } });
    const questions = ['小巨人配套奖励多少', '技改补助需要什么条件', '有哪些措施', '政策有效期', '第七条是什么', '数字化转型补助多少'];
    for (const q of questions) h.sayInGroup(h.alice, q);
    // Another member is not held back by Alice's burst.
    h.sayInGroup(h.bob, '政策有效期到什么时候');
    await until(() => h!.inRoom().filter((m) => m.startsWith('@Bob')).length === 1, 'the answer to Bob');
    await until(() => h!.inRoom().filter((m) => m.startsWith('@Alice')).length === 4, 'three answers and a notice to Alice');
    // A minute later Alice is answered again; her messages are handled in order, so the
    // two after the notice were already dropped by then.
    h.clock.advance(61_000);
    h.sayInGroup(h.alice, '谢谢');
    await until(() => h!.inRoom().filter((m) => m.startsWith('@Alice')).length === 5, 'the answer after the pause');
    const toAlice = h.inRoom().filter((m) => m.startsWith('@Alice'));
    const notices = toAlice.filter((m) => m.includes('一分钟后再问'));
    expect(notices).toHaveLength(1);
    expect(toAlice.indexOf(notices[0])).toBe(3);
    expect(toAlice[4]).toContain('不客气');
  });

  it('delivers a broadcast to a group, and says why it cannot', async () => {
    h = await startHarness();
    const sender = h.channel.broadcastSender;
    expect(sender).toMatchObject({ channel: 'wechat', idempotent: false });
    await sender.send(h.room.id, { title: '申报通知', text: '【申报通知】\n2025年省级专精特新申报开始。' }, 'delivery-1');
    await h.channel.sendToRoom(h.room.id, '请各企业留意。');
    await until(() => h!.inRoom().length === 2, 'the broadcast texts');
    expect(h.inRoom()).toEqual(['【申报通知】\n2025年省级专精特新申报开始。', '请各企业留意。']);
    // A group the account is not in can never be reached; a logged-out account refuses before sending.
    await expect(sender.send('unknown@chatroom', { text: 'x' }, 'delivery-2')).rejects.toMatchObject({ kind: 'permanent', reason: 'room_not_found' });
    h.puppet.logout();
    await until(() => !h!.channel.loggedIn(), 'the logout');
    const refused = sender.send(h.room.id, { text: 'x' }, 'delivery-3');
    await expect(refused).rejects.toBeInstanceOf(WechatSendError);
    await expect(refused).rejects.toMatchObject({ kind: 'unavailable', reason: 'not_logged_in' });
    expect(h.inRoom()).toHaveLength(2);
  });
});
