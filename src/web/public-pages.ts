import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatYuan, ruleSummary, type AwardOutcome, type PolicyDocument } from '../../policy/index.js';
import type { Answer } from '../core/answer.js';
import { MAX_TEXT } from '../server/schemas.js';
import { evaluateProfile, profileFromForm, quotedSentence, validityOf, whatWouldChange, type Profile } from './calculator.js';
import { html, type Html } from './html.js';
import { CookieBoundTokens, cookiesOf, csrfOf, field, queryOf, sendHtml, setCookie, type FormBody } from './http.js';
import { page } from './layout.js';
import type { WebDeps } from './deps.js';

const VISITOR_COOKIE = 'pb_visitor';
const YEAR_SECONDS = 365 * 86_400;

const STATUS_LABEL: Record<AwardOutcome['status'], string> = { eligible: '可享受', needs_info: '需补充信息', not_eligible: '暂不符合' };

function amountOf(o: AwardOutcome): string {
  if (o.yuan !== null) return formatYuan(o.yuan);
  if (o.maxYuan !== undefined) return `最高${formatYuan(o.maxYuan)}`;
  return '文件未列明金额';
}

function validityBanner(doc: PolicyDocument, now: number): Html {
  const v = validityOf(doc, now);
  return html`<p class="validity${v.daysLeft < 0 ? ' expired' : ''}" id="validity">《${v.title}》（${v.status}）· ${v.text}</p>`;
}

function fieldInput(doc: PolicyDocument, f: PolicyDocument['profileFields'][number], form: Record<string, string | undefined>): Html {
  const value = form[f.field] ?? '';
  const id = `f-${f.field}`;
  const label = html`<label for="${id}">${f.label}</label>`;
  const select = (options: [string, string][]) => html`${label}<select id="${id}" name="${f.field}">${options.map(([v, l]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${l}</option>`)}</select>`;
  switch (f.kind) {
    case 'tier':
      return select([['', '请选择'], ...doc.tiers.map((t): [string, string] => [t.id, t.label])]);
    case 'boolean':
      return select([['', '不清楚'], ['true', '是'], ['false', '否']]);
    case 'level':
      return select([['', '不清楚'], ['0', '尚未评测'], ...[1, 2, 3, 4, 5].map((n): [string, string] => [String(n), `${'一二三四五'[n - 1]}级`])]);
    case 'year':
      return html`${label}<input id="${id}" name="${f.field}" type="number" inputmode="numeric" min="1990" max="2100" placeholder="例如 2025" value="${value}">`;
    case 'yuan':
      return html`${label}<span class="unit"><input id="${id}" name="${f.field}" type="number" inputmode="decimal" min="0" step="any" placeholder="不清楚可不填" value="${value}"><span>万元</span></span>`;
    default:
      return html`${label}<input id="${id}" name="${f.field}" value="${value}">`;
  }
}

function outcomeCard(doc: PolicyDocument, o: AwardOutcome, profile: Profile): Html {
  const hint = whatWouldChange(doc, o, profile);
  return html`<article class="award ${o.status}" data-rule="${o.rule.id}">
  <header><span class="badge">${STATUS_LABEL[o.status]}</span> <h3>${o.rule.title}</h3> <strong class="amount">${o.status === 'not_eligible' ? '—' : amountOf(o)}</strong></header>
  <p class="basis">${o.basis}</p>
  ${hint ? html`<p class="hint">提示：${hint}</p>` : ''}
  <blockquote>“${quotedSentence(doc, o)}”<cite><a href="/measures/${o.rule.measure}">${doc.displayName(o.rule.measure)}</a></cite></blockquote>
  <p class="units">责任单位：${doc.unitsOf(o.rule.measure).join('、')}</p>
</article>`;
}

function calculatorResult(doc: PolicyDocument, deps: WebDeps, form: Record<string, string | undefined>): Html {
  const { profile, error } = profileFromForm(doc, form);
  if (error) return html`<section id="result" aria-live="polite"><p class="error" role="alert">${error}</p></section>`;
  if (!profile) return html`<section id="result" aria-live="polite"><p class="muted">选择认定层级并填写已知情况，点击“计算”即可看到可享受的措施和金额；不清楚的项可以不填。</p></section>`;
  const evaluation = evaluateProfile(doc, deps.replies, profile);
  const inScope = evaluation.outcomes.filter((o) => !o.outOfScope);
  const order = { eligible: 0, needs_info: 1, not_eligible: 2 } as const;
  const sorted = [...inScope].sort((a, b) => order[a.status] - order[b.status]);
  const total = inScope.filter((o) => o.status === 'eligible' && o.yuan !== null).reduce((s, o) => s + (o.yuan ?? 0), 0);
  const eligible = inScope.filter((o) => o.status === 'eligible').length;
  const outOfScope = evaluation.outcomes.filter((o) => o.outOfScope);
  return html`<section id="result" aria-live="polite">
  <h2>测算结果</h2>
  <p class="summary">可享受 <strong>${eligible}</strong> 项${total ? html`，可计算的奖励合计 <strong>${formatYuan(total)}</strong>` : ''}${evaluation.missing.length ? html`；补充${evaluation.missing.map((f) => `“${doc.fieldLabel(f)}”`).join('、')}可得到更准确的结果` : ''}。</p>
  ${sorted.map((o) => outcomeCard(doc, o, profile))}
  ${outOfScope.length ? html`<details><summary>不适用的措施（${outOfScope.length}项）</summary><ul>${outOfScope.map((o) => html`<li>${o.rule.title}：${o.unmet[0]}</li>`)}</ul></details>` : ''}
</section>`;
}

function askBox(csrf: string): Html {
  return html`<section id="ask" class="ask">
  <h2>问答</h2>
  <p class="muted">用中文提问，例如“技改补助需要什么条件？”“小巨人配套奖励多少？”，或发送“我们能享受哪些政策”做一次测评。对话在本浏览器中保持。</p>
  <div id="transcript" class="transcript" aria-live="polite"></div>
  <form id="ask-form" class="ask-form" method="post" action="/ask" hx-post="/ask" hx-target="#transcript" hx-swap="beforeend">
    <input type="hidden" name="_csrf" value="${csrf}">
    <label for="question" class="visually-hidden">您的问题</label>
    <input id="question" name="text" maxlength="${MAX_TEXT}" required autocomplete="off" placeholder="请输入您的问题">
    <button type="submit">发送</button>
  </form>
</section>`;
}

function visitorOf(request: FastifyRequest, reply: FastifyReply, tokens: CookieBoundTokens): string {
  let id = cookiesOf(request)[VISITOR_COOKIE];
  if (!id || !/^[\w-]{16,64}$/.test(id)) {
    id = tokens.newId();
    setCookie(request, reply, VISITOR_COOKIE, id, { path: '/', sameSite: 'Lax', maxAgeSeconds: YEAR_SECONDS });
  }
  return id;
}

function turnView(doc: PolicyDocument, question: string, answer: Answer, csrf: string): Html {
  const links = answer.measures.filter((m) => doc.measure(m));
  return html`<div class="turn">
  <p class="q">${question}</p>
  <div class="a"><p class="reply">${answer.reply}</p>
  ${links.length ? html`<p class="links">原文：${links.map((m) => html`<a href="/measures/${m}">${doc.displayName(m)}</a> `)}</p>` : ''}
  ${answer.actions?.length ? html`<form class="quick" hx-post="/ask" hx-target="#transcript" hx-swap="beforeend"><input type="hidden" name="_csrf" value="${csrf}">${answer.actions.map((a) => html`<button type="submit" name="text" value="${a.text}">${a.label}</button>`)}</form>` : ''}
  </div>
</div>`;
}

export function publicRoutes(deps: WebDeps, app: FastifyInstance): void {
  const tokens = new CookieBoundTokens();

  app.get('/', async (request, reply) => {
    const doc = deps.doc();
    const visitor = visitorOf(request, reply, tokens);
    const form = queryOf(request);
    const body = html`${validityBanner(doc, deps.clock.now())}
<section class="calculator">
  <h1>政策计算器</h1>
  <form class="profile" method="get" action="/" hx-get="/" hx-select="#result" hx-target="#result" hx-swap="outerHTML" hx-push-url="true">
    <div class="grid">${doc.profileFields.map((f) => html`<div class="field">${fieldInput(doc, f, form)}</div>`)}</div>
    <button type="submit">计算</button>
  </form>
  ${calculatorResult(doc, deps, form)}
</section>
${askBox(tokens.tokenFor(visitor))}`;
    return sendHtml(reply, page({ title: '政策计算器 · 福州专精特新政策助手', body, csrf: tokens.tokenFor(visitor) }));
  });

  app.post('/ask', async (request, reply) => {
    const id = cookiesOf(request)[VISITOR_COOKIE];
    const text = field(request.body as FormBody, 'text').trim();
    if (!tokens.valid(id, csrfOf(request))) {
      return sendHtml(reply, html`<p class="error" role="alert">页面已过期，请刷新页面后再提问。</p>`, 403);
    }
    if (!text) return sendHtml(reply, html`<p class="error" role="alert">问题不能为空。</p>`, 400);
    if (text.length > MAX_TEXT) return sendHtml(reply, html`<p class="error" role="alert">问题不能超过${MAX_TEXT}个字。</p>`, 400);
    // The same brain /api/ask talks to; one conversation per browser.
    const answer = deps.engine.handle({ channel: 'web', chat: `web:${id}`, user: id!, text, at: deps.clock.now(), mentioned: true });
    await deps.engine.committed?.();
    return sendHtml(reply, turnView(deps.doc(), text, answer, tokens.tokenFor(id!)));
  });

  app.get('/measures', async (_request, reply) => {
    const doc = deps.doc();
    const body = html`${validityBanner(doc, deps.clock.now())}<h1>${doc.title}</h1><p class="muted">${doc.status} · 依据${doc.basis} · ${doc.issuer}</p>
<ol class="measures">${doc.topMeasures().map((m) => html`<li><a href="/measures/${m.id}">${doc.displayName(m.id)}</a>${doc.children(m.id).length ? html`<ul>${doc.children(m.id).map((c) => html`<li><a href="/measures/${c.id}">${c.title}</a></li>`)}</ul>` : ''}</li>`)}</ol>`;
    return sendHtml(reply, page({ title: `措施原文 · ${doc.title}`, body }));
  });

  app.get('/measures/:id', async (request, reply) => {
    const doc = deps.doc();
    const id = String((request.params as { id: string }).id).slice(0, 10);
    const m = doc.measure(id);
    if (!m) {
      const body = html`<h1>没有这条措施</h1><p>没有编号为“${id}”的措施。可用编号：${doc.measures.map((x) => html`<a href="/measures/${x.id}">${x.id}</a> `)}</p>`;
      return sendHtml(reply, page({ title: '没有这条措施', body }), 404);
    }
    const rules = doc.rulesFor(m.id);
    const body = html`${validityBanner(doc, deps.clock.now())}
<article class="measure">
  <p class="crumbs"><a href="/measures">全部措施</a>${m.parent ? html` › <a href="/measures/${m.parent}">${doc.displayName(m.parent)}</a>` : ''}</p>
  <h1>${doc.displayName(m.id)}</h1>
  <p class="fulltext">${m.text}</p>
  ${doc.children(m.id).length ? html`<h2>分项</h2><ul>${doc.children(m.id).map((c) => html`<li><a href="/measures/${c.id}">${c.title}</a></li>`)}</ul>` : ''}
  ${rules.length ? html`<h2>奖励与补助</h2><ul>${rules.map((r) => html`<li><strong>${r.title}</strong>：${ruleSummary(doc, r)}</li>`)}</ul>` : ''}
  <p class="units">责任单位：${doc.unitsOf(m.id).join('、')}</p>
</article>`;
    return sendHtml(reply, page({ title: `${doc.displayName(m.id)} · ${doc.title}`, body }));
  });
}
