import { html, jsonAttr, type Html } from './html.js';

export interface PageOptions {
  title: string;
  body: Html;
  /** Console pages: the tab to highlight and the session's CSRF token for htmx requests. */
  console?: { tab: string; who: string; csrf: string };
  /** Public pages: the visitor's CSRF token for the question box. */
  csrf?: string;
}

/**
 * No eval and no inline style (the CSP forbids both), and refusals (400, 403, 404) are shown where
 * the answer would have gone: they carry the Chinese message for the user.
 */
const HTMX_CONFIG = {
  includeIndicatorStyles: false, allowEval: false, allowScriptTags: false,
  responseHandling: [{ code: '204', swap: false }, { code: '[23]..', swap: true }, { code: '4..', swap: true, error: false }, { code: '5..', swap: false, error: true }],
};

const CONSOLE_TABS: [string, string][] = [
  ['overview', '概览'], ['broadcasts', '广播'], ['groups', '群组'], ['policy', '政策'], ['audit', '审计'],
];

function tabHref(tab: string): string {
  return tab === 'overview' ? '/console' : `/console/${tab}`;
}

/** The page shell: one stylesheet, htmx and a small script of our own, all served by this process. */
export function page(o: PageOptions): Html {
  const csrf = o.console?.csrf ?? o.csrf;
  const nav = o.console
    ? html`<nav class="tabs">${CONSOLE_TABS.map(([id, label]) => html`<a href="${tabHref(id)}"${o.console!.tab === id ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
      <form class="signout" method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${o.console.csrf}"><span>${o.console.who}</span> <button type="submit" class="link">退出</button></form>`
    : html`<nav class="tabs"><a href="/">政策计算器</a><a href="/#ask">问答</a><a href="/measures">措施原文</a></nav>`;
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${jsonAttr(HTMX_CONFIG)}">
<title>${o.title}</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/htmx.min.js" defer></script>
<script src="/assets/app.js" defer></script>
</head>
<body${csrf ? html` hx-headers="${jsonAttr({ 'x-csrf-token': csrf })}"` : ''}>
<header class="top"><a class="brand" href="${o.console ? '/console' : '/'}">${o.console ? '政策助手 · 工作台' : '福州专精特新政策助手'}</a>${nav}</header>
<main>${o.body}</main>
<footer>${o.console ? '仅限登记的工作人员使用；所有操作均记入审计日志。' : '结果依据政策原文自动计算，仅供参考，以主管部门审核为准。'}</footer>
</body>
</html>`;
}
