import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readConfig } from '../config.js';
import { openDatabase } from '../store/database.js';
import { SqliteAdminTokens, SqliteAuditLog, SqliteUserRoles } from '../store/sqlite-admin.js';
import { SqliteChatRegistry } from '../store/sqlite-chat-registry.js';
import { ROLES, type Role } from './ports.js';
import { issueToken } from './tokens.js';

const USAGE = `用法（npm run admin -- <命令>）：
  token create --name <名称> --role <official|admin|viewer>   创建令牌（只显示一次）
  token list                                                  列出令牌
  token revoke --id <编号>                                    吊销令牌
  role set --channel feishu --user <open_id> --role official [--name <姓名>]   设置平台用户角色
  role remove --channel feishu --user <open_id>               移除平台用户角色
  chat list [--channel wechat|feishu] [--tag <标签>]          列出群
  chat tag --channel <wechat|feishu> --id <群ID> --tags <标签1,标签2>   设置群标签`;

class UsageError extends Error {}

function need(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`缺少参数 --${name}`);
  return value;
}

function roleOf(value: string | undefined): Role {
  const role = need(value, 'role');
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`角色必须是 ${ROLES.join(' / ')}`);
  return role as Role;
}

/** Runs one command; returns the lines to print. Exported for tests. */
export function runAdminCommand(argv: string[], env: Record<string, string | undefined>, now = Date.now()): string[] {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string' }, id: { type: 'string' }, channel: { type: 'string' }, user: { type: 'string' }, tag: { type: 'string' }, tags: { type: 'string' } },
  });
  const [group, command] = positionals;
  const db = openDatabase(readConfig(env).DB_PATH);
  const actor = `cli:${userInfo().username}`;
  const audit = new SqliteAuditLog(db);
  try {
    const tokens = new SqliteAdminTokens(db);
    const roles = new SqliteUserRoles(db);
    const chats = new SqliteChatRegistry(db);
    switch (`${group} ${command}`) {
      case 'token create': {
        const { token, record } = issueToken(tokens, need(values.name, 'name'), roleOf(values.role), now);
        audit.record({ at: now, actor, action: 'token.create', detail: { id: record.id, name: record.name, role: record.role } });
        return [`已创建令牌 #${record.id}（${record.name}，角色 ${record.role}）。请立即保存，令牌只显示这一次：`, token];
      }
      case 'token list':
        return tokens.list().map((t) => `#${t.id}\t${t.name}\t${t.role}\t${new Date(t.createdAt).toISOString()}\t${t.revokedAt ? '已吊销' : '有效'}`);
      case 'token revoke': {
        const id = Number(need(values.id, 'id'));
        if (!tokens.revoke(id, now)) throw new UsageError(`没有有效的令牌 #${id}`);
        audit.record({ at: now, actor, action: 'token.revoke', detail: { id } });
        return [`已吊销令牌 #${id}`];
      }
      case 'role set': {
        const channel = need(values.channel, 'channel');
        const user = need(values.user, 'user');
        const role = roleOf(values.role);
        roles.set(channel, user, role, values.name ?? '');
        audit.record({ at: now, actor, action: 'role.set', detail: { channel, user, role } });
        return [`已将 ${channel}:${user} 设为 ${role}`];
      }
      case 'role remove': {
        const channel = need(values.channel, 'channel');
        const user = need(values.user, 'user');
        if (!roles.remove(channel, user)) throw new UsageError(`${channel}:${user} 没有角色`);
        audit.record({ at: now, actor, action: 'role.remove', detail: { channel, user } });
        return [`已移除 ${channel}:${user} 的角色`];
      }
      case 'chat list':
        return chats.list({ channel: values.channel, tags: values.tag ? [values.tag] : undefined })
          .map((c) => `${c.channel}\t${c.id}\t${c.name}\t${c.members}人\t[${c.tags.join(',')}]\t${c.subscribed ? '订阅中' : '已退订'}`);
      case 'chat tag': {
        const channel = need(values.channel, 'channel');
        const id = need(values.id, 'id');
        const tags = need(values.tags, 'tags').split(/[,，]/).map((t) => t.trim()).filter(Boolean);
        if (!chats.setTags(channel, id, tags)) throw new UsageError(`没有这个群：${channel}/${id}（群在机器人收到其消息后才会登记）`);
        audit.record({ at: now, actor, action: 'chat.tags', detail: { channel, id, tags } });
        return [`已设置 ${channel}/${id} 的标签：${tags.join('、')}`];
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    for (const line of runAdminCommand(process.argv.slice(2), process.env)) console.log(line);
  } catch (e) {
    console.error(e instanceof UsageError ? e.message : `admin: ${(e as Error).message}`);
    process.exit(2);
  }
}
