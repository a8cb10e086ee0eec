import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Targets } from '../broadcast/ports.js';
import { BroadcastInputError, type BroadcastInput, type BroadcastView } from '../broadcast/service.js';
import { splitMessage } from '../channels/wechat/split-message.js';
import type { ChatRecord } from '../core/ports.js';
import { canAct, localTime, type ConsoleContext } from './console-pages.js';
import { html, type Html } from './html.js';
import { field, fields, isHtmx, sendHtml, type FormBody } from './http.js';

const CHANNEL_LABEL: Record<string, string> = { all: '全部渠道', wechat: '微信', feishu: '飞书' };
const STATUS_LABEL: Record<string, string> = { scheduled: '已排期', sending: '发送中', done: '已完成', cancelled: '已取消' };
const DELIVERY_LABEL: Record<string, string> = { queued: '待发送', sending: '发送中', sent: '已发送', failed: '失败', uncertain: '未确认', skipped: '跳过', cancelled: '已取消' };
const WECHAT_BUBBLE_CHARS = 1000;
/** A district tag (鼓楼区, 闽侯县, 福清市): shown apart from industry tags. */
const DISTRICT = /(区|县|市)$/;

interface Draft {
  input?: BroadcastInput;
  error?: string;
}

function districtsAndTags(chats: ChatRecord[]): { districts: string[]; tags: string[] } {
  const all = [...new Set(chats.flatMap((c) => c.tags))].sort((a, b) => a.localeCompare(b, 'zh'));
  return { districts: all.filter((t) => DISTRICT.test(t)), tags: all.filter((t) => !DISTRICT.test(t)) };
}

/** "2026-12-01T09:00" typed in a datetime-local field is Fuzhou time. */
function parseLocal(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const t = Date.parse(`${value}:00+08:00`);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The form as the broadcast service's input. Districts and other tags chosen together mean
 * groups carrying both (the service's tag filter means "any of"), so those are named one by one.
 */
function draftOf(ctx: ConsoleContext, form: FormBody, now: number): Draft {
  const text = field(form, 'text').trim();
  const title = field(form, 'title').trim() || undefined;
  const channel = field(form, 'channel') as Targets['channel'];
  if (!['all', 'wechat', 'feishu'].includes(channel)) return { error: '请选择发送渠道' };
  if (!text) return { error: '请填写广播内容' };
  if (text.length > 4000) return { error: '广播内容不能超过4000字' };
  if (title && title.length > 100) return { error: '标题不能超过100字' };
  const measures = fields(form, 'measures').filter(Boolean);
  const districts = fields(form, 'districts').filter(Boolean);
  const tags = fields(form, 'tags').filter(Boolean);
  let targets: Targets = { channel };
  if (districts.length && tags.length) {
    const groups = ctx.deps.chats.list({ channel: channel === 'all' ? undefined : channel, kind: 'group', tags: districts })
      .filter((c) => c.tags.some((t) => tags.includes(t)));
    if (!groups.length) return { error: '没有同时属于所选区县和所选标签的群' };
    targets = { channel, chats: groups.map((c) => c.id) };
  } else if (districts.length || tags.length) {
    targets = { channel, tags: [...districts, ...tags] };
  }
  let at: number | undefined;
  if (field(form, 'when') === 'later') {
    at = parseLocal(field(form, 'at'));
    if (at === undefined) return { error: '请填写定时发送的时间' };
    if (at <= now) return { error: '定时发送的时间必须晚于现在' };
  }
  return { input: { text, title, measures, targets, at } };
}

function bubbles(text: string): Html {
  return html`${splitMessage(text, WECHAT_BUBBLE_CHARS).map((part) => html`<p class="bubble">${part}</p>`)}`;
}

function preview(ctx: ConsoleContext, draft: Draft): Html {
  if (draft.error || !draft.input) return html`<div id="preview" class="preview"><p class="muted" role="status">${draft.error ?? '填写内容后，这里显示群里看到的样子。'}</p></div>`;
  let p;
  try {
    p = ctx.deps.broadcasts.preview(draft.input);
  } catch (e) {
    if (e instanceof BroadcastInputError) return html`<div id="preview" class="preview"><p class="error" role="alert">${e.message}</p></div>`;
    throw e;
  }
  const title = draft.input.title;
  const titleLine = title ? ctx.deps.replies.render('broadcastTitle', { title }) : '';
  const cardBody = title && p.text.startsWith(titleLine) ? p.text.slice(titleLine.length).trimStart() : p.text;
  const unsubscribed = p.skipped.filter((s) => s.reason === 'unsubscribed').length;
  return html`<div id="preview" class="preview">
  <p class="audience" id="audience">将发送到 <strong id="audience-count">${p.targets}</strong> 个群${Object.keys(p.byChannel).length ? html`（${Object.entries(p.byChannel).sort(([a], [b]) => b.localeCompare(a)).map(([c, n]) => `${CHANNEL_LABEL[c] ?? c} ${n}`).join('，')}）` : ''}${unsubscribed ? html`，跳过已退订的 ${unsubscribed} 个群` : ''}${draft.input.at ? html`，定时于 ${localTime(draft.input.at)}` : ''}。</p>
  <div class="phones">
    <figure class="wechat"><figcaption>微信群里</figcaption>${bubbles(p.text)}</figure>
    <figure class="feishu"><figcaption>飞书群里</figcaption>${title ? html`<div class="card"><div class="card-header">${title}</div><div class="card-body">${cardBody}</div></div>` : html`<p class="bubble">${p.text}</p>`}</figure>
  </div>
</div>`;
}

function composeForm(ctx: ConsoleContext, canSend: boolean): Html {
  const doc = ctx.deps.doc();
  const chats = ctx.deps.chats.list();
  const { districts, tags } = districtsAndTags(chats);
  const testable = chats.filter((c) => c.subscribed);
  if (!canSend) return html`<p class="muted">您的角色为只读，不能发起广播。</p>`;
  return html`<form id="compose" class="compose" method="post" action="/console/broadcasts"
    hx-post="/console/broadcasts/preview" hx-trigger="input changed delay:300ms, change, load" hx-target="#preview" hx-swap="outerHTML">
  <label for="b-title">标题（可选）</label>
  <input id="b-title" name="title" maxlength="100" placeholder="如：技改补助申报提醒">
  <label for="b-text">内容</label>
  <textarea id="b-text" name="text" rows="6" maxlength="4000" required placeholder="可使用 {validUntil}（有效期）、{daysLeft}（剩余天数）、{docTitle}、{today}"></textarea>
  <fieldset><legend>附上措施（可选）</legend>
    <div class="checks">${doc.measures.filter((m) => doc.rulesFor(m.id).length).map((m) => html`<label><input type="checkbox" name="measures" value="${m.id}"> ${m.id} ${m.title}</label>`)}</div>
  </fieldset>
  <fieldset><legend>发送对象</legend>
    <div class="checks">${(['all', 'wechat', 'feishu'] as const).map((c, i) => html`<label><input type="radio" name="channel" value="${c}"${i === 0 ? html` checked` : ''}> ${CHANNEL_LABEL[c]}</label>`)}</div>
    ${districts.length ? html`<p class="sub">区县</p><div class="checks">${districts.map((t) => html`<label><input type="checkbox" name="districts" value="${t}"> ${t}</label>`)}</div>` : ''}
    ${tags.length ? html`<p class="sub">标签</p><div class="checks">${tags.map((t) => html`<label><input type="checkbox" name="tags" value="${t}"> ${t}</label>`)}</div>` : ''}
    <p class="muted">不选区县和标签即发给所选渠道的全部群。只发给订阅中的群：已退订的群会被跳过并列出。</p>
  </fieldset>
  <fieldset><legend>发送时间</legend>
    <div class="checks"><label><input type="radio" name="when" value="now" checked> 立即发送</label><label><input type="radio" name="when" value="later"> 定时发送</label>
    <input type="datetime-local" name="at" aria-label="定时发送时间"></div>
  </fieldset>
  <div class="actions">
    <span class="test"><label for="b-test" class="visually-hidden">测试发送到</label><select id="b-test" name="testChat"><option value="">选择一个群测试发送</option>${testable.map((c) => html`<option value="${c.channel}|${c.id}">${CHANNEL_LABEL[c.channel] ?? c.channel} · ${c.name || c.id}</option>`)}</select>
    <button type="button" class="secondary" hx-post="/console/broadcasts/test" hx-target="#test-result" hx-swap="innerHTML">测试发送</button></span>
    <button type="submit" hx-post="/console/broadcasts" hx-target="#compose-result" hx-swap="innerHTML">发送</button>
  </div>
  <div id="test-result" aria-live="polite"></div>
  <div id="compose-result" aria-live="polite"></div>
</form>`;
}

function recentList(ctx: ConsoleContext): Html {
  const recent = ctx.deps.broadcasts.recent(20);
  if (!recent.length) return html`<p class="empty">还没有广播。</p>`;
  return html`<table class="list"><thead><tr><th>时间</th><th>标题</th><th>状态</th><th>送达</th><th>发起人</th></tr></thead><tbody>
${recent.map((b) => html`<tr><td>${localTime(Date.parse(b.scheduledAt))}</td><td><a href="/console/broadcasts/${b.id}">${b.title ?? b.text.slice(0, 30)}</a></td><td>${STATUS_LABEL[b.status] ?? b.status}</td><td>${b.counts.sent}/${b.deliveries.length}</td><td>${b.createdBy}</td></tr>`)}
</tbody></table>`;
}

function pendingOf(v: BroadcastView): number {
  return v.counts.queued + v.counts.sending;
}

function progress(v: BroadcastView, canCancel: boolean): Html {
  const total = v.deliveries.length;
  const finished = total - pendingOf(v);
  const percent = total ? Math.round((100 * finished) / total) : 100;
  const live = v.status === 'scheduled' || v.status === 'sending';
  return html`<section id="progress" class="progress"${live ? html` hx-get="/console/broadcasts/${v.id}/progress" hx-trigger="every 1s" hx-swap="outerHTML"` : ''} data-status="${v.status}">
  <p><strong class="status">${STATUS_LABEL[v.status] ?? v.status}</strong> · 计划时间 ${localTime(Date.parse(v.scheduledAt))}</p>
  <progress max="${total}" value="${finished}" aria-label="发送进度"></progress> <strong class="percent">${percent}%</strong>
  <dl class="counts">
    <div><dt>已发送</dt><dd class="sent">${v.counts.sent}</dd></div>
    <div><dt>失败</dt><dd class="failed">${v.counts.failed}</dd></div>
    <div><dt>未确认</dt><dd class="uncertain">${v.counts.uncertain}</dd></div>
    <div><dt>待发送</dt><dd class="pending">${pendingOf(v)}</dd></div>
    ${v.counts.cancelled ? html`<div><dt>已取消</dt><dd class="cancelled">${v.counts.cancelled}</dd></div>` : ''}
  </dl>
  ${live && canCancel ? html`<form hx-post="/console/broadcasts/${v.id}/cancel" hx-target="#progress" hx-swap="outerHTML"><button type="submit" class="danger">取消广播</button></form>` : ''}
  <p><a href="/console/broadcasts/${v.id}/report.csv" download>下载发送报告（CSV）</a></p>
  <table class="list deliveries"><thead><tr><th>渠道</th><th>群</th><th>状态</th><th>尝试</th><th>原因</th></tr></thead><tbody>
  ${v.deliveries.map((d) => html`<tr class="${d.status}"><td>${CHANNEL_LABEL[d.channel] ?? d.channel}</td><td>${d.name || d.chat}</td><td>${DELIVERY_LABEL[d.status] ?? d.status}</td><td>${d.attempts}</td><td>${d.error ?? ''}</td></tr>`)}
  </tbody></table>
</section>`;
}

/** A spreadsheet cell: quoted, and a leading = + - @ defused so Excel does not run it as a formula. */
function csvCell(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function reportCsv(v: BroadcastView): string {
  const rows = [['渠道', '群ID', '群名', '状态', '尝试次数', '原因']];
  for (const d of v.deliveries) rows.push([d.channel, d.chat, d.name, DELIVERY_LABEL[d.status] ?? d.status, String(d.attempts), d.error ?? '']);
  // The BOM makes Excel read the Chinese as UTF-8.
  return '\ufeff' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function broadcastRoutes(ctx: ConsoleContext, app: FastifyInstance): void {
  const { deps } = ctx;
  const viewOr404 = (request: FastifyRequest, reply: FastifyReply): BroadcastView | undefined => {
    const id = String((request.params as { id: string }).id).slice(0, 100);
    const v = deps.broadcasts.view(id);
    if (!v) void sendHtml(reply, html`<p class="error" role="alert">没有编号为 ${id} 的广播。</p>`, 404);
    return v;
  };

  app.get('/console/broadcasts', async (request, reply) => ctx.render(request, reply, 'broadcasts', '广播', html`<h1>广播</h1>
<div class="composer">${composeForm(ctx, canAct(request.webSession))}<div><h2>预览</h2>${preview(ctx, {})}</div></div>
<h2>最近的广播</h2>${recentList(ctx)}`));

  app.post('/console/broadcasts/preview', async (request, reply) => sendHtml(reply, preview(ctx, draftOf(ctx, request.body as FormBody, deps.clock.now()))));

  app.post('/console/broadcasts', async (request, reply) => {
    if (ctx.refuseViewer(request, reply)) return reply;
    const draft = draftOf(ctx, request.body as FormBody, deps.clock.now());
    if (!draft.input) return sendHtml(reply, html`<p class="error" role="alert">${draft.error}</p>`, 400);
    try {
      const created = deps.broadcasts.create(draft.input, ctx.actorOf(request));
      const to = `/console/broadcasts/${created.id}`;
      // htmx would follow a 303 inside its request and swap the page into the form: it is told where to go instead.
      if (isHtmx(request)) return reply.code(200).header('hx-location', to).send('');
      return reply.code(303).header('location', to).send();
    } catch (e) {
      if (e instanceof BroadcastInputError) return sendHtml(reply, html`<p class="error" role="alert">${e.message}</p>`, 400);
      throw e;
    }
  });

  app.post('/console/broadcasts/test', async (request, reply) => {
    if (ctx.refuseViewer(request, reply)) return reply;
    const form = request.body as FormBody;
    const draft = draftOf(ctx, form, deps.clock.now());
    if (!draft.input) return sendHtml(reply, html`<p class="error" role="alert">${draft.error}</p>`, 400);
    const chosen = field(form, 'testChat');
    const i = chosen.indexOf('|');
    const chat = i > 0 ? deps.chats.get(chosen.slice(0, i), chosen.slice(i + 1)) : undefined;
    if (!chat) return sendHtml(reply, html`<p class="error" role="alert">请选择测试发送的群。</p>`, 400);
    try {
      // A real broadcast to that one group, now, marked as a test: it goes through the same outbox and pacing.
      const created = deps.broadcasts.create({
        ...draft.input, title: `测试：${draft.input.title ?? '广播预览'}`, at: undefined,
        targets: { channel: chat.channel as Targets['channel'], chats: [chat.id] },
      }, ctx.actorOf(request));
      return sendHtml(reply, html`<p class="ok" role="status">已向“${chat.name || chat.id}”测试发送，<a href="/console/broadcasts/${created.id}">查看发送情况</a>。</p>`);
    } catch (e) {
      if (e instanceof BroadcastInputError) return sendHtml(reply, html`<p class="error" role="alert">${e.message}</p>`, 400);
      throw e;
    }
  });

  app.get('/console/broadcasts/:id', async (request, reply) => {
    const v = viewOr404(request, reply);
    if (!v) return reply;
    return ctx.render(request, reply, 'broadcasts', v.title ?? '广播', html`<p><a href="/console/broadcasts">‹ 全部广播</a></p>
<h1>${v.title ?? '广播'}</h1>
<p class="muted">发起人 ${v.createdBy}</p>
<div class="phones"><figure class="wechat"><figcaption>发送内容</figcaption>${bubbles(v.text)}</figure></div>
${progress(v, canAct(request.webSession))}`);
  });

  app.get('/console/broadcasts/:id/progress', async (request, reply) => {
    const v = viewOr404(request, reply);
    if (!v) return reply;
    return sendHtml(reply, progress(v, canAct(request.webSession)));
  });

  app.post('/console/broadcasts/:id/cancel', async (request, reply) => {
    if (ctx.refuseViewer(request, reply)) return reply;
    const v = viewOr404(request, reply);
    if (!v) return reply;
    deps.broadcasts.cancel(v.id, ctx.actorOf(request));
    return sendHtml(reply, progress(deps.broadcasts.view(v.id)!, true));
  });

  app.get('/console/broadcasts/:id/report.csv', async (request, reply) => {
    const v = viewOr404(request, reply);
    if (!v) return reply;
    return reply.type('text/csv; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="broadcast-${v.id}.csv"`).send(reportCsv(v));
  });
}
