import type { ChannelFactory } from '../channel.js';

/** WeChat through wechaty: enabled by WECHATY_PUPPET (not built yet: issue 4). */
export const createWechatChannel: ChannelFactory = async (env, deps) => {
  if (env.WECHATY_PUPPET) deps.log.warn('WECHATY_PUPPET is set but this version has no WeChat channel yet; ignoring it');
  else deps.log.info('wechat channel disabled: WECHATY_PUPPET is not set');
  return null;
};
