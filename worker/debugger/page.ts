/** `GET /debugger`: asks for the token once (sessionStorage) and lists events with their journey. */
export function debuggerPage(): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>edgetag debugger</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1rem 2rem;color:#1d1d1f}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
tr[data-id]{cursor:pointer} .delivered{color:#137333}.dropped{color:#8a6d00}.dead{color:#b3261e}.queued,.retrying,.held{color:#0b57d0}.paused{color:#6b21a8}
pre{background:#f5f5f5;padding:.5rem;overflow:auto;font-size:12px}
</style></head><body>
<h1>edgetag event debugger</h1>
<table><thead><tr><th>received</th><th>type</th><th>event</th><th>user</th><th>status</th><th>reason</th><th>attempts</th></tr></thead><tbody id="rows"></tbody></table>
<div id="journey"></div>
<script>
var token = sessionStorage.getItem('edgetag_debugger_token') || prompt('Debugger token (DEBUGGER_TOKEN)') || '';
sessionStorage.setItem('edgetag_debugger_token', token);
function api(path) {
  return fetch(path, { headers: { authorization: 'Bearer ' + token } }).then(function (r) {
    if (r.status === 401) { sessionStorage.removeItem('edgetag_debugger_token'); }
    return r.json();
  });
}
function text(v) { return v == null ? '' : String(v); }
function refresh() {
  api('/debugger/api/events?limit=200').then(function (data) {
    var rows = document.getElementById('rows'); rows.textContent = '';
    (data.events || []).forEach(function (e) {
      var tr = document.createElement('tr'); tr.dataset.id = e.messageId;
      [new Date(e.receivedAt).toLocaleTimeString(), e.type, e.name, e.userId || e.anonymousId, e.status, e.reason, e.attempts].forEach(function (v, i) {
        var td = document.createElement('td'); td.textContent = text(v); if (i === 4) td.className = e.status; tr.appendChild(td);
      });
      tr.onclick = function () { show(e.messageId); };
      rows.appendChild(tr);
    });
  });
}
function show(id) {
  api('/debugger/api/events/' + encodeURIComponent(id)).then(function (e) {
    var j = document.getElementById('journey'); j.textContent = '';
    [['Received', e.raw], ['Mapped', e.mapped], ['Sent to MoEngage / answer', e.exchanges]].forEach(function (p) {
      var h = document.createElement('h3'); h.textContent = p[0]; j.appendChild(h);
      var pre = document.createElement('pre'); pre.textContent = JSON.stringify(p[1], null, 2); j.appendChild(pre);
    });
  });
}
refresh(); setInterval(refresh, 2000);
</script></body></html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
