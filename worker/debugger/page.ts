import { EVENT_STATUSES } from './filter';
import { PAGE_SCRIPT, PAGE_SCRIPT_HASH, PAGE_STYLE, PAGE_STYLE_HASH } from './pageBundle.generated';

/**
 * `GET /debugger`: the page shell. Its script (worker/debugger/page/, bundled by
 * scripts/buildDebuggerPage.ts) asks for the token once, keeps it in sessionStorage, and reads the
 * API with it; the shell itself holds no data, so it needs no token. The policy lets only this
 * script and style run and the page talk only to its own origin: whatever visitors put in events is
 * shown as text and cannot run.
 */
export function debuggerPage(): Response {
  const statusOptions = EVENT_STATUSES.map((s) => `<option value="${s}">${s}</option>`).join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>edgetag event debugger</title>
<style>${PAGE_STYLE}</style>
</head><body>
<section id="login" hidden>
<form id="login-form">
<h2>edgetag event debugger</h2>
<p class="muted">Every event the collector received, what it became, and MoEngage's answer.</p>
<label for="token">Debugger token (<code>DEBUGGER_TOKEN</code>)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">Open the debugger</button>
<p id="login-error" role="alert"></p>
<p class="muted">The token stays in this tab (sessionStorage) and is sent as <code>Authorization: Bearer …</code>.</p>
</form>
</section>
<div id="app" hidden>
<header class="top">
<h1>edgetag <span>event debugger</span></h1>
<p id="setup" class="muted"></p>
<div class="controls">
<label><input type="checkbox" id="live" checked> Live</label>
<span id="live-state" role="status" aria-live="polite"></span>
<button id="sign-out" type="button">Sign out</button>
</div>
</header>
<section class="stats" aria-label="Delivery statistics">
<div id="cards" class="cards"></div>
<div id="totals" class="totals"></div>
<div id="chart"></div>
<p id="stats-error" role="alert"></p>
<div id="alerts"></div>
</section>
<div class="main">
<section class="events" aria-label="Events">
<form id="filters" class="filters" role="search">
<label for="f-status">Status<select name="status" id="f-status"><option value="">any</option>${statusOptions}</select></label>
<label for="f-event">Event<input name="event" id="f-event" placeholder="Order Completed"></label>
<label for="f-user">User<input name="userId" id="f-user" placeholder="userId or anonymousId"></label>
<label for="f-reason">Reason<input name="reason" id="f-reason" placeholder="not_in_blueprint"></label>
<label for="f-since">Since<select name="since" id="f-since"><option value="">any time</option><option value="15m">15 minutes</option><option value="1h">1 hour</option><option value="24h">24 hours</option><option value="7d">7 days</option></select></label>
<label for="connection" id="connection-filter" hidden>Connection<select name="connection" id="connection"></select></label>
<button type="submit" class="primary">Filter</button>
<button type="reset">Clear</button>
</form>
<p id="list-error" role="alert"></p>
<table class="events-table">
<caption class="visually-hidden">Events, newest first. Open one to see its journey.</caption>
<thead><tr><th scope="col">Received</th><th scope="col">Event</th><th scope="col">User</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col" class="num">Attempts</th><th scope="col" class="num">MoEngage</th><th scope="col" id="col-connection" hidden>Connection</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<p id="empty" class="muted" hidden>No events match. Fire one from the demo page, or change the filters.</p>
<p class="list-footer"><button id="newer" type="button" hidden>← Newer</button><span id="shown" role="status"></span><button id="older" type="button" hidden>Older →</button></p>
</section>
<aside id="journey" aria-labelledby="journey-title" hidden>
<header><h2 id="journey-title"></h2><button id="journey-close" type="button" aria-label="Close the journey">×</button></header>
<div id="journey-body"></div>
</aside>
</div>
<details id="preview"><summary>Preview a message with the active blueprint (nothing is stored or sent)</summary>
<form id="preview-form"><label for="preview-input">Message (JSON, Segment's format)</label>
<textarea id="preview-input" rows="12" spellcheck="false"></textarea>
<div><button type="submit" class="primary">Preview</button></div></form>
<div id="preview-result" aria-live="polite"></div>
</details>
<details id="alert-log"><summary>Alerts<span id="alert-count"></span></summary><div id="alert-log-body"></div></details>
<details id="rejections"><summary>Refused requests (rejection log)</summary><div id="rejections-body"></div></details>
<details id="segments"><summary>Segment syncs</summary><div id="segments-body"></div></details>
<details id="erasures"><summary>Erasures (MoEngage Delete User)</summary><div id="erasures-body"></div></details>
</div>
<script>${PAGE_SCRIPT}</script>
</body></html>`;
  return new Response(html, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; script-src '${PAGE_SCRIPT_HASH}'; style-src '${PAGE_STYLE_HASH}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  });
}
