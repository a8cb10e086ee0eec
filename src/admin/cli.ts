import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readConfig } from '../config.js';
import { openDatabase } from '../store/database.js';
import { SqliteAdminTokens, SqliteAuditLog, SqliteUserRoles } from '../store/sqlite-admin.js';
import { SqliteChatRegistry } from '../store/sqlite-chat-registry.js';
import { readOpsConfig } from '../ops/config.js';
import { backupDatabase } from '../ops/backup.js';
import { deletePerson, exportPerson, pseudonymizer, pseudonymKey } from '../ops/privacy.js';
import { ROLES, type Role } from './ports.js';
import { issueToken } from './tokens.js';

const USAGE = `用法（npm run admin -- <命令>）：
  token create --name <名称> --role <official|admin|viewer>   创建令牌（只显示一次）
  token list                                                  列出令牌
  token revoke --id <编号>                                    吊销令牌
  role set --channel feishu --user <open_id> --role official [--name <姓名>]   设置平台用户角色
  role remove --channel feishu --user <open_id>               移除平台用户角色
  chat list [--channel wechat|feishu] [--tag <标签>]          列出群
  chat tag --channel <wechat|feishu> --id <群ID> --tags <标签1,标签2>   设置群标签
  backup <文件>                                               在线备份数据库（服务运行时也可）
  person export --channel <wechat|feishu|api> --user <用户ID>  导出某人的全部数据（JSON）
  person delete --channel <wechat|feishu|api> --user <用户ID>  删除某人的全部数据
  questions export [--days <天数>]                            导出提问记录（JSON 行，用户ID为化名）`;

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
    options: {
      name: { type: 'string' }, role: { type: 'string' }, id: { type: 'string' }, channel: { type: 'string' }, user: { type: 'string' },
      tag: { type: 'string' }, tags: { type: 'string' }, days: { type: 'string' },
    },
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
          .map((c) => `${c.channel}\t${c.id}\t${c.name}\t${c.members}人\t[${c.tags.join(',')}]\t${c.subscribed ? '订阅中' : '已退订'}${c.left ? `\t已不在群中（${c.left.reason}，${new Date(c.left.at).toISOString()}）` : ''}`);
      case 'chat tag': {
        const channel = need(values.channel, 'channel');
        const id = need(values.id, 'id');
        const tags = need(values.tags, 'tags').split(/[,，]/).map((t) => t.trim()).filter(Boolean);
        if (!chats.setTags(channel, id, tags)) throw new UsageError(`没有这个群：${channel}/${id}（群在机器人收到其消息后才会登记）`);
        audit.record({ at: now, actor, action: 'chat.tags', detail: { channel, id, tags } });
        return [`已设置 ${channel}/${id} 的标签：${tags.join('、')}`];
      }
      case 'person export': {
        const person = { channel: need(values.channel, 'channel'), user: need(values.user, 'user') };
        const pseudonym = pseudonymizer(pseudonymKey(db, readOpsConfig(env).PSEUDONYM_KEY))(person.channel, person.user);
        audit.record({ at: now, actor, action: 'person.export', detail: { channel: person.channel, user: pseudonym } });
        return [JSON.stringify(exportPerson(db, person, pseudonym), null, 2)];
      }
      case 'person delete': {
        const person = { channel: need(values.channel, 'channel'), user: need(values.user, 'user') };
        const pseudonym = pseudonymizer(pseudonymKey(db, readOpsConfig(env).PSEUDONYM_KEY))(person.channel, person.user);
        const removed = deletePerson(db, person);
        // The audit keeps the pseudonym, not the id that was just erased.
        audit.record({ at: now, actor, action: 'person.delete', detail: { channel: person.channel, user: pseudonym, ...removed } });
        return [`已删除 ${person.channel} 用户 ${pseudonym} 的数据：提问记录 ${removed.questions} 条，对话状态 ${removed.dialogs} 条，角色 ${removed.roles} 条`];
      }
      case 'questions export': {
        const days = values.days === undefined ? undefined : Number(values.days);
        if (days !== undefined && !(days > 0)) throw new UsageError('--days 必须是正数');
        const pseudonym = pseudonymizer(pseudonymKey(db, readOpsConfig(env).PSEUDONYM_KEY));
        const rows = db.prepare('SELECT at, channel, chat, user, text, intent, confidence, measures FROM question_log WHERE at >= ? ORDER BY at')
          .all(days === undefined ? 0 : now - days * 86_400_000) as { at: number; channel: string; chat: string; user: string; text: string; intent: string; confidence: number; measures: string }[];
        return rows.map((r) => JSON.stringify({
          at: new Date(r.at).toISOString(), channel: r.channel, user: pseudonym(r.channel, r.user), text: r.text, intent: r.intent,
          confidence: r.confidence, measures: JSON.parse(r.measures) as string[],
        }));
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    db.close();
  }
}

/** `backup <file>`: SQLite's online backup of DB_PATH, safe while the service runs. */
export async function runBackup(file: string | undefined, env: Record<string, string | undefined>): Promise<string[]> {
  if (!file) throw new UsageError('用法：npm run admin -- backup <备份文件>');
  const db = openDatabase(readConfig(env).DB_PATH);
  try {
    const result = await backupDatabase(db, file);
    return [`已备份到 ${result.file}（${result.pages} 页，${Math.round(result.bytes / 1024)} KB，已通过完整性检查）`];
  } finally {
    db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  try {
    const lines = argv[0] === 'backup' ? await runBackup(argv[1], process.env) : runAdminCommand(argv, process.env);
    for (const line of lines) console.log(line);
  } catch (e) {
    console.error(e instanceof UsageError ? e.message : `admin: ${(e as Error).message}`);
    process.exit(2);
  }
}
