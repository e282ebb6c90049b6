import type { ScenarioResult } from './result.js'

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

/**
 * One self-contained HTML page: the matrix, then one timeline picture per scenario, drawn as SVG
 * in the browser from the data embedded in the page (no network, no external script):
 * acknowledged / unknown / failed sends per time bin, fault windows shaded, node actions and
 * leader changes marked, and lost and duplicated records marked at their send time. `sections`
 * (HTML saved by other engines for this run, e.g. an exploration's timeline) go before the pictures.
 */
export function reportHtml(rows: readonly ScenarioResult[], title = 'Kafka producer durability', sections: readonly string[] = []): string {
  const data = JSON.stringify(rows).replace(/</g, '\\u003c')
  const matrix = rows
    .map(
      (r, i) =>
        `<tr class="${r.violations.length ? 'bad' : 'good'}"><td><a href="#s${i}">${esc(r.scenario)}</a></td><td>${esc(r.variant)}</td><td>${r.totals.sent}</td><td>${r.totals.acknowledged}</td><td>${r.totals.failed}</td><td>${r.totals.unknown}</td><td>${r.counts.lost}</td><td>${r.counts.absent}</td><td>${r.counts.duplicated}</td><td>${r.counts.reordered}</td><td>${r.counts.outOfSendOrder}</td><td>${r.timeToNewLeaderMs === undefined ? '-' : (r.timeToNewLeaderMs / 1000).toFixed(1) + ' s'}</td></tr>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,td:nth-child(2),th{text-align:left}
tr.bad td{background:#fde8e8}tr.good td{background:#eef8ee}
section{margin:28px 0;border-top:1px solid #ddd;padding-top:8px}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:4px}
svg text{font:11px system-ui,sans-serif}
</style></head><body>
<h1>${esc(title)}</h1>
<p>${rows.length} scenario runs. Generated ${esc(new Date().toISOString())}.</p>
<table><thead><tr><th>scenario</th><th>variant</th><th>sent</th><th>acked</th><th>failed</th><th>unknown</th><th>lost</th><th>absent</th><th>duplicated</th><th>reordered</th><th>out of send order</th><th>new leader</th></tr></thead><tbody>
${matrix}
</tbody></table>
<p class="legend"><span><i class="sw" style="background:#3a9d4a"></i>acknowledged</span><span><i class="sw" style="background:#b8b8b8"></i>unknown</span><span><i class="sw" style="background:#d64545"></i>failed</span><span><i class="sw" style="background:#f3c26b;opacity:.45"></i>fault in force</span><span>▼ lost (red) / duplicated (purple) record, at its send</span><span>| node action · leader change (blue)</span></p>
${sections.join('\n')}
<div id="timelines"></div>
<script id="data" type="application/json">${data}</script>
<script>
(function () {
  var rows = JSON.parse(document.getElementById('data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var host = document.getElementById('timelines');
  rows.forEach(function (r, i) {
    var sec = document.createElement('section');
    sec.id = 's' + i;
    var h = document.createElement('h2');
    h.textContent = r.scenario + ' — ' + r.variant;
    sec.appendChild(h);
    var p = document.createElement('p');
    p.textContent = 'sent ' + r.totals.sent + ', acknowledged ' + r.totals.acknowledged + ', failed ' + r.totals.failed + ', unknown ' + r.totals.unknown +
      '; lost ' + r.counts.lost + ', duplicated ' + r.counts.duplicated + ', reordered ' + r.counts.reordered + ', out of send order ' + r.counts.outOfSendOrder + ', overwritten ' + r.counts.overwritten +
      (r.violations.length ? '; violations: ' + r.violations.join(', ') : '; no violation') +
      (r.faults.length ? '. Faults: ' + r.faults.map(function (f) { return f.description; }).join('; ') : '');
    sec.appendChild(p);
    var W = 1000, H = 220, L = 50, R = 10, T = 30, B = 30;
    var t = r.timeline, bins = t.bins, span = Math.max(1, bins.length * t.binMs);
    var max = 1;
    bins.forEach(function (b) { max = Math.max(max, b.ok + b.failed + b.unknown); });
    var x = function (ms) { return L + (W - L - R) * Math.max(0, Math.min(1, ms / span)); };
    var y = function (n) { return H - B - (H - T - B) * n / max; };
    var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'class': 'timeline', 'data-scenario': r.scenario, 'data-variant': r.variant, role: 'img' });
    svg.appendChild(el('title', {}, r.scenario + ' — ' + r.variant));
    r.faults.forEach(function (f) {
      var a = f.appliedAt - t.t0, b = (f.healedAt || r.endedAt) - t.t0;
      svg.appendChild(el('rect', { x: x(a), y: T, width: Math.max(1, x(b) - x(a)), height: H - T - B, fill: '#f3c26b', opacity: 0.45, 'class': 'fault' }));
      svg.appendChild(el('text', { x: x(a) + 2, y: T - 4 }, f.name));
    });
    var bw = Math.max(1, (W - L - R) / bins.length - 1);
    bins.forEach(function (b, k) {
      var x0 = L + (W - L - R) * k / bins.length, base = 0;
      [['ok', '#3a9d4a'], ['unknown', '#b8b8b8'], ['failed', '#d64545']].forEach(function (c) {
        var n = b[c[0]];
        if (!n) return;
        svg.appendChild(el('rect', { x: x0, y: y(base + n), width: bw, height: y(base) - y(base + n), fill: c[1], 'class': 'sends-' + c[0] }));
        base += n;
      });
    });
    (r.nodeEvents || []).forEach(function (e) {
      var xx = x(e.at - t.t0);
      svg.appendChild(el('line', { x1: xx, x2: xx, y1: T, y2: H - B, stroke: '#333', 'stroke-dasharray': '3,2', 'class': 'node-event' }));
      svg.appendChild(el('text', { x: xx + 2, y: H - B - 4 }, e.action + ' n' + e.node));
    });
    (r.clusterEvents || []).forEach(function (e, k) {
      var xx = x(e.at - t.t0);
      svg.appendChild(el('line', { x1: xx, x2: xx, y1: T, y2: H - B, stroke: '#8a5a00', 'stroke-dasharray': '1,2', 'class': 'cluster-event' }));
      svg.appendChild(el('text', { x: xx + 2, y: T + 24 + 11 * (k % 8), fill: '#8a5a00', 'font-size': 9 }, 'n' + e.node + ' ' + e.label));
    });
    (r.leaderChanges || []).forEach(function (e) {
      var xx = x(e.at - t.t0);
      svg.appendChild(el('line', { x1: xx, x2: xx, y1: T, y2: H - B, stroke: '#2b6cd4', 'stroke-width': 2, 'class': 'leader-change' }));
      svg.appendChild(el('text', { x: xx + 2, y: T + 12, fill: '#2b6cd4' }, 'p' + e.partition + ': ' + e.from + '→' + e.to));
    });
    [['lost', '#d64545'], ['duplicated', '#7b3fbf']].forEach(function (m) {
      t[m[0]].forEach(function (ms) {
        var xx = x(ms);
        svg.appendChild(el('path', { d: 'M' + (xx - 5) + ',' + (T + 2) + ' L' + (xx + 5) + ',' + (T + 2) + ' L' + xx + ',' + (T + 12) + ' Z', fill: m[1], 'class': 'marker-' + m[0] }));
      });
    });
    svg.appendChild(el('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: '#555' }));
    svg.appendChild(el('line', { x1: L, x2: L, y1: T, y2: H - B, stroke: '#555' }));
    for (var s = 0; s <= span / 1000; s += Math.max(1, Math.ceil(span / 10000))) {
      svg.appendChild(el('text', { x: x(s * 1000) - 4, y: H - B + 14 }, s + 's'));
    }
    svg.appendChild(el('text', { x: 4, y: T + 8 }, String(max)));
    svg.appendChild(el('text', { x: 4, y: H - B }, '0'));
    svg.appendChild(el('text', { x: 4, y: T - 14 }, 'records per ' + t.binMs + ' ms'));
    sec.appendChild(svg);
    host.appendChild(sec);
  });
  document.body.setAttribute('data-rendered', String(rows.length));
})();
</script>
</body></html>
`
}
