import type { ChannelFactory } from '../channel.js';

/** Feishu through @larksuiteoapi/node-sdk: enabled by FEISHU_APP_ID and FEISHU_APP_SECRET (not built yet: issue 5). */
export const createFeishuChannel: ChannelFactory = async (env, deps) => {
  if (env.FEISHU_APP_ID) deps.log.warn('FEISHU_APP_ID is set but this version has no Feishu channel yet; ignoring it');
  else deps.log.info('feishu channel disabled: FEISHU_APP_ID and FEISHU_APP_SECRET are not set');
  return null;
};
