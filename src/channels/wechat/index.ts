import type { ChannelFactory } from '../channel.js';
import { readWechatSettings } from './settings.js';

export { readWechatSettings, WechatSettingsError, WECHAT_PUPPETS, type WechatSettings } from './settings.js';
export type { WechatChannel, WechatChannelOptions, WechatSendFailure } from './wechat-channel.js';
export { splitMessage } from './split-message.js';

/** WeChat through wechaty: enabled by WECHATY_PUPPET (plus WECHATY_PUPPET_SERVICE_TOKEN for wechaty-puppet-service). */
export const createWechatChannel: ChannelFactory = async (env, deps) => {
  const settings = readWechatSettings(env);
  if (!settings) {
    deps.log.info('wechat channel disabled: WECHATY_PUPPET is not set');
    return null;
  }
  deps.log.info(
    { puppet: settings.puppet, bot: settings.botName, groupKeywords: settings.groupKeywords, ratePerMinute: settings.userRatePerMinute },
    'wechat channel enabled',
  );
  // wechaty and its puppets cost about a second and 70 MB at start: loaded only when configured.
  const { buildWechatChannel } = await import('./wechat-channel.js');
  return buildWechatChannel(settings, deps);
};
