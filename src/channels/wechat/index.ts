import type { ChannelFactory } from '../channel.js';
import { readWechatSettings } from './settings.js';
import { buildWechatChannel } from './wechat-channel.js';

export { readWechatSettings, WechatSettingsError, WECHAT_PUPPETS, type WechatSettings } from './settings.js';
export { buildWechatChannel, isWechatChannel, WechatSendError, type WechatChannel, type WechatChannelOptions, type WechatSendFailure } from './wechat-channel.js';
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
  return buildWechatChannel(settings, deps);
};
