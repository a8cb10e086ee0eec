import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BROADCAST_ROLES } from '../admin/ports.js';
import { hashToken } from '../admin/tokens.js';
import { FALLBACK_INTENT } from '../staff/question-stats.js';
import { CITY_UTC_OFFSET_MINUTES, localParts, parsePeriod } from '../staff/period.js';
import { SqliteWebSessions, type WebSession } from '../store/sqlite-web-sessions.js';
import { validityOf } from './calculator.js';
import { barChart, columnChart, shareBar } from './charts.js';
import { ConsoleQueries } from './console-queries.js';
import type { WebDeps } from './deps.js';
import { html, type Html } from './html.js';
import { CookieBoundTokens, cookiesOf, csrfOf, field, isHtmx, queryOf, sameSecret, sendHtml, setCookie, type FormBody } from './http.js';
import { page } from './layout.js';

export const SESSION_COOKIE = 'pb_console';
const SIGNIN_COOKIE = 'pb_signin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in official of a console request. */
    webSession?: WebSession;
  }
}

/** "2026-12-01 09:05", Fuzhou time. */
export function localTime(t: number): string {
  const p = localParts(t);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')} ${p.hour}:${p.minute}`;
}

export function canAct(session: WebSession | undefined): boolean {
  return !!session && BROADCAST_ROLES.includes(session.role);
}

export interface ConsoleContext {
  deps: WebDeps;
  queries: ConsoleQueries;
  actorOf(request: FastifyRequest): string;
  /** A console page in the shell, with the session's name and CSRF token. */
  render(request: FastifyRequest, reply: FastifyReply, tab: string, title: string, body: Html, status?: number): FastifyReply;
  /** Refuses a viewer an action; returns true when refused. */
  refuseViewer(request: FastifyRequest, reply: FastifyReply): boolean;
}

const ROLE_LABEL: Record<string, string> = { admin: '管理员', official: '工作人员', viewer: '只读' };

/** Sign-in, the session check on everything else under /console, and the pages other than 广播. */
export function consoleRoutes(deps: WebDeps, app: FastifyInstance, more: (ctx: ConsoleContext, scope: FastifyInstance) => void): void {
  const sessions = new SqliteWebSessions(deps.db);
  const queries = new ConsoleQueries(deps.db);
  const signinTokens = new CookieBoundTokens();
  const ttlMs = (deps.sessionHours ?? 12) * 3_600_000;

  const ctx: ConsoleContext = {
    deps, queries,
    actorOf: (request) => `web:token:${request.webSession!.tokenId}:${request.webSession!.name}`,
    render(request, reply, tab, title, body, status = 200) {
      const s = request.webSession!;
      return sendHtml(reply, page({ title: `${title} · 政策助手工作台`, body, console: { tab, who: `${s.name}（${ROLE_LABEL[s.role] ?? s.role}）`, csrf: s.csrf } }), status);
    },
    refuseViewer(request, reply) {
      if (canAct(request.webSession)) return false;
      deps.audit.record({ at: deps.clock.now(), actor: ctx.actorOf(request), action: 'denied', detail: { method: request.method, url: request.url, role: request.webSession?.role } });
      void sendHtml(reply, html`<p class="error" role="alert">您的角色（只读）不能执行此操作。</p>`, 403);
      return true;
    },
  };

  function signinPage(request: FastifyRequest, reply: FastifyReply, message?: string, status = 200) {
    let id = cookiesOf(request)[SIGNIN_COOKIE];
    if (!id || !/^[\w-]{16,64}$/.test(id)) {
      id = signinTokens.newId();
      setCookie(request, reply, SIGNIN_COOKIE, id, { path: '/console', sameSite: 'Strict' });
    }
    const body = html`<section class="signin">
  <h1>工作人员登录</h1>
  <p class="muted">请输入管理令牌（由管理员用 <code>npm run admin -- token create</code> 创建）。</p>
  ${message ? html`<p class="error" role="alert">${message}</p>` : ''}
  <form method="post" action="/console/login">
    <input type="hidden" name="_csrf" value="${signinTokens.tokenFor(id)}">
    <label for="token">管理令牌</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required>
    <button type="submit">登录</button>
  </form>
</section>`;
    return sendHtml(reply, page({ title: '登录 · 政策助手工作台', body }), status);
  }

  app.get('/console/login', async (request, reply) => signinPage(request, reply));

  app.post('/console/login', {
    config: { rateLimit: { max: deps.signInPerMinute ?? 10, timeWindow: 60_000 } },
  }, async (request, reply) => {
    const form = request.body as FormBody | undefined;
    if (!signinTokens.valid(cookiesOf(request)[SIGNIN_COOKIE], field(form, '_csrf'))) {
      return signinPage(request, reply, '登录页面已过期，请重新输入令牌。', 403);
    }
    const token = field(form, 'token').trim();
    const record = token ? deps.tokens.findByHash(hashToken(token)) : undefined;
    const now = deps.clock.now();
    if (!record) {
      deps.audit.record({ at: now, actor: `web:${request.ip}`, action: 'console.signin.denied', detail: { ip: request.ip } });
      return signinPage(request, reply, '令牌无效或已吊销，请检查后重试。', 401);
    }
    const { id } = sessions.create(record.id, now, ttlMs);
    setCookie(request, reply, SESSION_COOKIE, id, { path: '/console', sameSite: 'Strict', maxAgeSeconds: Math.floor(ttlMs / 1000) });
    deps.audit.record({ at: now, actor: `web:token:${record.id}:${record.name}`, action: 'console.signin', detail: { ip: request.ip } });
    return reply.code(303).header('location', '/console').send();
  });

  // Everything else under /console: a live session, and the session's CSRF token on every change.
  void app.register(async (scope) => {
    scope.addHook('preHandler', async (request, reply) => {
      const id = cookiesOf(request)[SESSION_COOKIE];
      const session = id ? sessions.find(id, deps.clock.now()) : undefined;
      if (!session) {
        if (request.method === 'GET' && !isHtmx(request)) return reply.code(303).header('location', '/console/login').send();
        // htmx follows HX-Redirect; anything else just gets the refusal.
        return reply.code(401).header('hx-redirect', '/console/login').type('text/plain; charset=utf-8').send('需要登录');
      }
      if (request.method !== 'GET' && !sameSecret(session.csrf, csrfOf(request))) {
        request.log.info({ url: request.url }, 'console request without a valid CSRF token');
        return sendHtml(reply, html`<p class="error" role="alert">页面已过期，请刷新后重试。</p>`, 403);
      }
      request.webSession = session;
    });

    scope.post('/console/logout', async (request, reply) => {
      const id = cookiesOf(request)[SESSION_COOKIE];
      if (id) sessions.end(id);
      deps.audit.record({ at: deps.clock.now(), actor: ctx.actorOf(request), action: 'console.signout', detail: {} });
      setCookie(request, reply, SESSION_COOKIE, '', { path: '/console', sameSite: 'Strict', maxAgeSeconds: 0 });
      return reply.code(303).header('location', '/console/login').send();
    });

    scope.get('/console', async (request, reply) => ctx.render(request, reply, 'overview', '概览', overview(ctx, queryOf(request).period ?? '7天')));

    scope.get('/console/questions', async (request, reply) => {
      const text = (queryOf(request).text ?? '').slice(0, 1000);
      return ctx.render(request, reply, 'overview', '问题详情', questionDetail(ctx, text));
    });

    scope.get('/console/groups', async (request, reply) => ctx.render(request, reply, 'groups', '群组', groupsPage(ctx, request.webSession!)));

    scope.post('/console/groups/update', async (request, reply) => {
      if (ctx.refuseViewer(request, reply)) return reply;
      const form = request.body as FormBody;
      const channel = field(form, 'channel');
      const id = field(form, 'id');
      const chat = deps.chats.get(channel, id);
      if (!chat) return sendHtml(reply, html`<p class="error" role="alert">没有这个群：${channel}/${id}</p>`, 404);
      const tags = field(form, 'tags').split(/[,，、\s]+/).map((t) => t.trim()).filter(Boolean);
      if (tags.length > 50 || tags.some((t) => t.length > 50)) return sendHtml(reply, html`<p class="error" role="alert">标签最多50个，每个不超过50字。</p>`, 400);
      const subscribed = field(form, 'subscribed') === 'true';
      const actor = ctx.actorOf(request);
      if (tags.join('\u0000') !== chat.tags.join('\u0000')) {
        deps.chats.setTags(channel, id, tags);
        deps.audit.record({ at: deps.clock.now(), actor, action: 'chat.tags', detail: { channel, id, tags } });
      }
      if (subscribed !== chat.subscribed) {
        deps.chats.setSubscribed(channel, id, subscribed);
        deps.audit.record({ at: deps.clock.now(), actor, action: subscribed ? 'chat.subscribe' : 'chat.unsubscribe', detail: { channel, id } });
      }
      return sendHtml(reply, groupRow(deps.chats.get(channel, id)!, request.webSession!, '已保存'));
    });

    scope.get('/console/policy', async (request, reply) => ctx.render(request, reply, 'policy', '政策', policyPage(ctx, request.webSession!)));

    scope.post('/console/policy/reload', async (request, reply) => {
      // Replacing what the bot says is for administrators (as on the admin API), not every official.
      if (request.webSession!.role !== 'admin') {
        deps.audit.record({ at: deps.clock.now(), actor: ctx.actorOf(request), action: 'denied', detail: { method: request.method, url: request.url, role: request.webSession!.role } });
        return sendHtml(reply, html`<p class="error" role="alert">重新加载政策文件需要管理员角色。</p>`, 403);
      }
      if (!deps.policies) return sendHtml(reply, html`<p class="error" role="alert">本服务不支持在线重新加载政策文件，请重启服务。</p>`, 404);
      const report = await deps.policies.reload(`web console by ${ctx.actorOf(request)}`);
      deps.audit.record({ at: deps.clock.now(), actor: ctx.actorOf(request), action: 'policies.reload', detail: { ...report } });
      const result = report.ok
        ? html`<p class="ok" role="status">已重新加载：${report.documents.join('、')}；当前适用 ${report.inForce}。</p>`
        : html`<div class="error" role="alert"><p>政策文件有误，未重新加载，仍按 ${report.inForce} 答复：</p><ul>${report.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`;
      return sendHtml(reply, html`${policyTable(ctx)}<div id="reload-result">${result}</div>`, report.ok ? 200 : 422);
    });

    scope.get('/console/audit', async (request, reply) => {
      const q = queryOf(request);
      return ctx.render(request, reply, 'audit', '审计', auditPage(ctx, { action: q.action?.slice(0, 60), actor: q.actor?.slice(0, 100), text: q.text?.slice(0, 200), limit: 200 }));
    });

    more(ctx, scope);
  });
}

const PERIODS = ['今天', '7天', '30天', '全部'];

function overview(ctx: ConsoleContext, periodArg: string): Html {
  const { deps, queries } = ctx;
  const now = deps.clock.now();
  const chosen = PERIODS.includes(periodArg) ? periodArg : '7天';
  const period = parsePeriod(chosen, now, deps.replies)!;
  const totals = deps.questionStats.totals(period.range);
  const perDay = deps.questionStats.perDay(period.range, CITY_UTC_OFFSET_MINUTES).slice(-31);
  const top = deps.questionStats.topMeasures(period.range, 8);
  const intents = queries.topIntents(period.range, 8);
  const fallbacks = deps.questionStats.recentFallbacks(period.range, 50);
  const doc = deps.doc();
  return html`<h1>概览 <small>${period.label}</small></h1>
<nav class="periods">${PERIODS.map((p) => html`<a href="/console?period=${encodeURIComponent(p)}"${p === chosen ? html` aria-current="true"` : ''}>${p}</a>`)}</nav>
<div class="figures">
  <div><strong id="fig-questions">${totals.questions}</strong><span>提问</span></div>
  <div><strong>${totals.people}</strong><span>提问人数</span></div>
  <div><strong id="fig-unanswered">${totals.fallbacks}</strong><span>未能解答</span></div>
  <div><strong>${totals.checks}</strong><span>政策测评</span></div>
</div>
<div class="charts">
  <section><h2>每日提问</h2>${columnChart('每日提问数', perDay.map((d) => ({ label: d.day.slice(5), value: d.count })))}</section>
  <section><h2>解答情况</h2>${shareBar('已解答与未能解答', [{ label: '已解答', value: totals.questions - totals.fallbacks, kind: 'good' }, { label: '未能解答', value: totals.fallbacks, kind: 'bad' }])}</section>
  <section><h2>最常问的措施</h2>${barChart('最常问的措施', top.map((m) => ({ label: doc.measure(m.measure)?.title ?? m.measure, value: m.count, href: `/measures/${m.measure}` })))}</section>
  <section><h2>最常见的意图</h2>${barChart('最常见的意图', intents.map((i) => ({ label: i.intent, value: i.count })))}</section>
</div>
<section id="unanswered">
  <h2>未能解答的问题</h2>
  ${fallbacks.length ? html`<table class="list"><thead><tr><th>问题</th><th>次数</th><th>最近一次</th></tr></thead><tbody>
  ${fallbacks.map((f) => html`<tr><td class="question"><a href="/console/questions?text=${encodeURIComponent(f.text)}">${f.text}</a></td><td>${f.count}</td><td>${localTime(f.lastAt)}</td></tr>`)}
  </tbody></table><p class="muted">可把这些问法补充到 intents/intents.yaml 对应意图的示例中，再运行 npm run eval:nlu 检查。</p>` : html`<p class="empty">${period.label}没有未能解答的问题。</p>`}
</section>`;
}

function questionDetail(ctx: ConsoleContext, text: string): Html {
  const seen = ctx.queries.occurrences(text, 100);
  const doc = ctx.deps.doc();
  const fallbackReply = ctx.deps.replies.render('fallback', { docTitle: doc.title, status: doc.status });
  return html`<p><a href="/console">‹ 返回概览</a></p>
<h1>问题详情</h1>
<p class="question-text">${text}</p>
${seen.length ? html`<h2>机器人的回答</h2>
${seen.some((s) => s.intent === FALLBACK_INTENT) ? html`<p class="bot-said">${fallbackReply}</p>` : ''}
<h2>提问记录（${seen.length}次）</h2>
<table class="list"><thead><tr><th>时间</th><th>渠道</th><th>会话</th><th>识别意图</th></tr></thead><tbody>
${seen.map((s) => html`<tr><td>${localTime(s.at)}</td><td>${s.channel}</td><td>${s.chat}</td><td>${s.intent === FALLBACK_INTENT ? '未能解答（fallback）' : s.intent}</td></tr>`)}
</tbody></table>` : html`<p class="empty">没有这条提问的记录。</p>`}`;
}

function groupRow(c: ReturnType<WebDeps['chats']['list']>[number], session: WebSession, note?: string): Html {
  const editable = canAct(session);
  return html`<tr id="chat-${c.channel}-${encodeURIComponent(c.id).replace(/%/g, '_')}">
  <td>${c.channel === 'wechat' ? '微信' : c.channel === 'feishu' ? '飞书' : c.channel}</td>
  <td>${c.name || '（未命名）'}<br><small class="muted">${c.id}</small></td>
  <td>${c.members || '—'}</td>
  <td>${localTime(c.lastSeen)}</td>
  <td colspan="2">${editable ? html`<form class="row-form" hx-post="/console/groups/update" hx-target="closest tr" hx-swap="outerHTML">
    <input type="hidden" name="channel" value="${c.channel}"><input type="hidden" name="id" value="${c.id}">
    <label class="visually-hidden" for="tags-${c.channel}-${c.id}">标签</label>
    <input id="tags-${c.channel}-${c.id}" name="tags" value="${c.tags.join('，')}" placeholder="如：鼓楼区，电子信息">
    <select name="subscribed" aria-label="订阅"><option value="true"${c.subscribed ? html` selected` : ''}>订阅中</option><option value="false"${c.subscribed ? '' : html` selected`}>已退订</option></select>
    <button type="submit">保存</button>${note ? html` <span class="ok" role="status">${note}</span>` : ''}
  </form>` : html`${c.tags.join('、') || '—'} · ${c.subscribed ? '订阅中' : '已退订'}`}</td>
</tr>`;
}

function groupsPage(ctx: ConsoleContext, session: WebSession): Html {
  const chats = ctx.deps.chats.list();
  return html`<h1>群组 <small>${chats.length} 个</small></h1>
<p class="muted">机器人在群里收到消息后会自动登记该群。标签用于选择广播对象（如区县、产业链）；退订的群不会收到广播。</p>
${chats.length ? html`<table class="list groups"><thead><tr><th>渠道</th><th>群名</th><th>人数</th><th>最近消息</th><th>标签</th><th>订阅</th></tr></thead>
<tbody>${chats.map((c) => groupRow(c, session))}</tbody></table>` : html`<p class="empty">还没有登记的群。</p>`}`;
}

const STATE_LABEL: Record<string, string> = {
  active: '有效', last_day: '今天到期', expired: '已过期', not_yet: '尚未生效', pending: '尚未生效', superseded: '已被替代',
};

function countdown(daysLeft: number): Html {
  const kind = daysLeft < 0 ? 'error' : daysLeft <= 30 ? 'warn' : '';
  return html`<strong class="countdown ${kind}">${daysLeft >= 0 ? `${daysLeft}天` : `已过期${-daysLeft}天`}</strong>`;
}

/** The documents the service knows (the one in force first), or the one it answers from. */
function policyTable(ctx: ConsoleContext): Html {
  const rows = ctx.deps.policies?.summary() ?? [(() => {
    const doc = ctx.deps.doc();
    return { document: doc.versionTag, title: doc.title, status: doc.status, validUntil: doc.validUntil, daysLeft: validityOf(doc, ctx.deps.clock.now()).daysLeft, state: undefined as string | undefined, number: undefined as string | undefined };
  })()];
  return html`<table class="list policies" id="policies"><thead><tr><th>文件</th><th>状态</th><th>文号</th><th>有效期至</th><th>剩余</th><th>版本</th></tr></thead>
<tbody>${rows.map((r, i) => html`<tr data-document="${r.document}"><td>《${r.title}》${i === 0 ? html` <span class="badge">正在适用</span>` : ''}</td><td>${r.status}${r.state ? html`<br><small>${STATE_LABEL[r.state] ?? r.state}</small>` : ''}</td><td>${r.number ?? '—'}</td><td>${r.validUntil}</td><td>${countdown(r.daysLeft)}</td><td>${r.document}</td></tr>`)}</tbody></table>`;
}

function policyPage(ctx: ConsoleContext, session: WebSession): Html {
  const doc = ctx.deps.doc();
  const reload = ctx.deps.policies && session.role === 'admin'
    ? html`<form hx-post="/console/policy/reload" hx-target="#policy-state" hx-swap="innerHTML"><button type="submit">重新加载政策文件</button></form>`
    : html`<p class="muted">${ctx.deps.policies ? '重新加载政策文件需要管理员角色。' : '修改 policy/documents/ 下的文件后，重启服务即可生效。'}</p>`;
  return html`<h1>政策</h1>
<div id="policy-state">${policyTable(ctx)}<div id="reload-result"></div></div>
<p class="muted">正在适用的文件依据${doc.basis}。${doc.validityText} 共 ${doc.measures.length} 条（款）措施，${doc.awards.length} 条奖励规则。<a href="/measures">查看原文</a></p>
${reload}`;
}

function auditPage(ctx: ConsoleContext, f: { action?: string; actor?: string; text?: string; limit: number }): Html {
  const entries = ctx.queries.audit(f);
  const actions = ctx.queries.auditActions();
  return html`<h1>审计</h1>
<form class="filters" method="get" action="/console/audit">
  <label>操作 <select name="action"><option value="">全部</option>${actions.map((a) => html`<option value="${a}"${a === f.action ? html` selected` : ''}>${a}</option>`)}</select></label>
  <label>操作人 <input name="actor" value="${f.actor ?? ''}" placeholder="如：token:2"></label>
  <label>内容 <input name="text" value="${f.text ?? ''}" placeholder="群ID、广播编号…"></label>
  <button type="submit">筛选</button>
</form>
${entries.length ? html`<table class="list audit"><thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>详情</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${localTime(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td><code>${JSON.stringify(e.detail)}</code></td></tr>`)}
</tbody></table>` : html`<p class="empty">没有符合条件的记录。</p>`}`;
}
