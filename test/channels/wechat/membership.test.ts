// Group membership on WeChat: the bot removed from a group leaves the broadcast audience (and
// the preview says so); added back, it is in the audience again. Real wechaty on the mock puppet.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const audience = (x: Harness) => x.service.broadcasts.preview({ targets: { channel: 'wechat' }, text: '申报通知' });

describe('WeChat group membership', () => {
  it('marks a group inactive when the bot is removed, skips it in broadcasts, and reactivates it when the bot is added back', async () => {
    h = await startHarness();
    await until(() => !!h!.chats.get('wechat', h!.room.id), 'the group to be recorded at login');
    expect(audience(h)).toMatchObject({ targets: 1, skipped: [] });

    h.room.remove(h.bot).by(h.owner);
    await until(() => !!h!.chats.get('wechat', h!.room.id)?.left, 'the group to be marked inactive');
    expect(h.chats.get('wechat', h.room.id)?.left?.reason).toBe('removed');
    const preview = audience(h);
    expect(preview.targets).toBe(0);
    expect(preview.skipped).toEqual([{ channel: 'wechat', chat: h.room.id, name: '鼓楼区专精特新企业群', reason: 'inactive' }]);
    expect(preview.text).toBeTruthy();

    h.room.add(h.bot).by(h.owner);
    await until(() => !h!.chats.get('wechat', h!.room.id)?.left, 'the group to be active again');
    expect(audience(h)).toMatchObject({ targets: 1, skipped: [] });
    // Its subscription and tags were kept throughout.
    expect(h.chats.get('wechat', h.room.id)?.subscribed).toBe(true);
  });

  it('keeps a member leaving from touching the group\u2019s membership', async () => {
    h = await startHarness();
    await until(() => !!h!.chats.get('wechat', h!.room.id), 'the group to be recorded at login');
    h.room.remove(h.carol).by(h.owner);
    await until(() => h!.chats.get('wechat', h!.room.id)?.members === 4, 'the member count to drop');
    expect(h.chats.get('wechat', h.room.id)?.left).toBeUndefined();
  });
});
