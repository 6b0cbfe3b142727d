import { snippet } from '../../tag/snippet';
import type { Config } from '../config/config';

/**
 * `GET /demo` (only with DEMO_PAGE=on, as `npm start` sets): a shop page with the README's snippet
 * and buttons that fire the seed's Retail events.
 */
export function demoPage(request: Request, config: Config, sandboxUrl: string | undefined): Response {
  const origin = new URL(request.url).origin;
  const embed = snippet({ src: `${origin}${config.tagPath}`, writeKey: config.writeKeys[0] ?? 'WRITE_KEY' });
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>edgetag demo shop</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
button{font:inherit;padding:.5rem .9rem;margin:.25rem;border:1px solid #999;border-radius:.4rem;background:#fff;cursor:pointer}
button:hover{background:#f2f2f2} code,pre{background:#f5f5f5;border-radius:.3rem} pre{padding:.75rem;overflow:auto;font-size:.8rem}
#log{font:13px ui-monospace,monospace;white-space:pre-wrap}
</style>
<script>
${embed}
</script>
</head><body>
<h1>edgetag demo shop</h1>
<p>Each button calls the tag. The collector maps the event with the <b>${config.connections.map((c) => c.blueprint).join(', ')}</b> blueprint and delivers it to MoEngage${sandboxUrl ? ' (here: the local sandbox)' : ''}.</p>
<p>
<button id="page">tag.page()</button>
<button id="identify">tag.identify('u_8842', …)</button>
<button id="order">Order Completed</button>
<button id="unmapped">Wishlist Shared (not in blueprint)</button>
</p>
<p><a id="debugger" href="/debugger">Open the event debugger</a>${sandboxUrl ? ` · <a id="sandbox" href="${sandboxUrl}/_sandbox/">See what MoEngage received</a>` : ''}</p>
<div id="log"></div>
<script>
var log = function (line) { document.getElementById('log').textContent += line + '\\n'; };
document.getElementById('page').onclick = function () { tag.page(); log('tag.page()'); };
document.getElementById('identify').onclick = function () {
  tag.identify('u_8842', { email: 'jane@example.com', phone: '+447700900123', first_name: 'Jane', last_name: 'Doe' });
  log("tag.identify('u_8842', {email, phone, first_name, last_name})");
};
document.getElementById('order').onclick = function () {
  tag.track('Order Completed', { order_id: 'ORD-1001', revenue: 89.99, currency: 'GBP', coupon: 'WELCOME10' });
  log("tag.track('Order Completed', {order_id: 'ORD-1001', revenue: 89.99, currency: 'GBP', coupon: 'WELCOME10'})");
};
document.getElementById('unmapped').onclick = function () { tag.track('Wishlist Shared', { items: 3 }); log("tag.track('Wishlist Shared')"); };
</script>
<h2>The snippet on this page</h2>
<pre>${escapeHtml(embed)}</pre>
</body></html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
