// The /ops page: polls /health, /metrics and /observe/metrics (JSON) every second and draws them.
// Sections are drawn from whatever the JSON holds, so fields added to /metrics appear without changes here.
// No framework, no build step; text goes in with textContent only (the figures come from the server).
'use strict';
(function () {
  const POLL_MS = 1000;
  const LIMIT_KEYS = ['max_total', 'pool_size', 'max', 'limit', 'capacity'];
  let previous = null;               // the last sample, for rates and "changed" marks

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  async function json(url, accept) {
    const res = await fetch(url, { headers: { Accept: accept || 'application/json' }, cache: 'no-store' });
    return res.json();               // /health answers 503 with a body while draining: still worth drawing
  }

  function fmt(v) {
    if (typeof v === 'number') {
      if (Number.isInteger(v)) return v.toLocaleString('en-US');
      return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
    }
    if (v === null || v === undefined) return '–';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }

  function human(key) {
    return key.replace(/[_.]/g, ' ');
  }

  // Nested objects become dotted keys: {"cpu": {"process": 0.1}} -> "cpu.process".
  function flatten(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? prefix + '.' + k : k;
      if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
      else out[key] = v;
    }
    return out;
  }

  // The limit a figure is measured against, when its object has one: current_x/max_x, active/pool_size...
  function limitFor(key, leaves) {
    const dot = key.lastIndexOf('.');
    const base = dot < 0 ? '' : key.slice(0, dot + 1);
    const name = key.slice(dot + 1);
    if (/^(max|limit)/.test(name) || typeof leaves[key] !== 'number') return undefined;
    const candidates = [];
    if (name.startsWith('current_')) candidates.push('max_' + name.slice(8));
    if (/^(active|in_flight|used|current|queued|size)$/.test(name) || name.startsWith('current_')) {
      LIMIT_KEYS.forEach(l => candidates.push(l));
    }
    const prefixed = name.match(/^(.+_)(in_flight|active|queued|used)$/);   // bulkhead_in_flight -> bulkhead_max
    if (prefixed) candidates.push(prefixed[1] + 'max');
    for (const c of candidates) {
      const limit = leaves[base + c];
      if (typeof limit === 'number' && limit > 0) return limit;
    }
    return undefined;
  }

  function meterBar(value, limit) {
    const share = Math.max(0, Math.min(1, value / limit));
    const bar = el('div', 'meter' + (share >= 0.9 ? ' bad' : share >= 0.7 ? ' warn' : ''));
    const fill = el('i');
    fill.style.width = (share * 100).toFixed(1) + '%';
    bar.appendChild(fill);
    return bar;
  }

  function card(title, leaves, seen) {
    const c = el('div', 'card');
    c.dataset.section = title;
    c.appendChild(el('h3', null, human(title)));
    const table = el('table');
    for (const [k, v] of Object.entries(leaves)) {
      const row = el('tr');
      row.appendChild(el('td', 'k', human(k)));
      const before = seen ? seen[title + '/' + k] : undefined;
      const cell = el('td', 'v' + (before !== undefined && before !== v ? ' changed' : ''), fmt(v));
      cell.dataset.key = k;
      const limit = limitFor(k, leaves);
      if (limit !== undefined) {
        cell.textContent = fmt(v) + ' / ' + fmt(limit);
        cell.appendChild(meterBar(v, limit));
      }
      row.appendChild(cell);
      table.appendChild(row);
    }
    c.appendChild(table);
    return c;
  }

  function tile(id, label, value, sub, bar) {
    const t = el('div', 'tile');
    t.dataset.metric = id;
    t.appendChild(el('span', 'label', label));
    t.appendChild(el('span', 'value', value));
    if (sub) t.appendChild(el('span', 'sub', sub));
    if (bar) t.appendChild(bar);
    return t;
  }

  // Helidon's JSON meters: {"application": {"name;tag=v": 1.0, "timer": {"count;tag=v": 3, ...}}}.
  function meterGroups(app) {
    const groups = {};
    for (const [full, value] of Object.entries(app || {})) {
      if (typeof value === 'object') continue;     // timers are summed into the traffic tiles
      const [name, ...tags] = full.split(';');
      const parts = name.replace(/^sluice\./, '').split('.');
      const group = parts.shift();
      const field = parts.join('_') || group;
      const row = tags.length ? tags.join(' ') : group;
      groups[group] = groups[group] || {};
      groups[group][row + '.' + field] = value;
    }
    return groups;
  }

  const OPERATIONAL = /;route=(\/health|\/metrics|\/observe\/[^;]*|\/ops[^;]*)(;|$)/;

  // Totals of the request timer over every API route and status: count, seconds spent, 5xx count, worst p95.
  function traffic(app) {
    const t = { count: 0, seconds: 0, errors: 0, p95: 0 };
    const timer = app && app['sluice.http.requests'];
    if (!timer || typeof timer !== 'object') return null;
    for (const [k, v] of Object.entries(timer)) {
      if (OPERATIONAL.test(k)) continue;          // probes, scrapes and this page's own polling
      const stat = k.split(';')[0];
      if (stat === 'count') {
        t.count += v;
        if (/status=5/.test(k)) t.errors += v;
      } else if (stat === 'elapsedTime') t.seconds += v;
      else if (stat === 'p0.95') t.p95 = Math.max(t.p95, v);
    }
    return t;
  }

  function render(metrics, health, meters) {
    const now = performance.now();
    const app = meters && meters.application;
    const t = traffic(app);
    const seen = {};
    const c = metrics.concurrency || {};
    const tiles = [];
    const statusText = health.status || 'unknown';
    const badge = document.getElementById('status');
    badge.textContent = statusText;
    badge.className = 'badge ' + (statusText === 'healthy' ? 'ok' : statusText === 'draining' ? 'warn' : 'bad');
    document.getElementById('about').textContent =
      'v' + fmt(health.version) + ' · port ' + fmt(health.port) + ' · up ' + fmt(health.uptime_seconds) + ' s';
    tiles.push(tile('inflight', 'Requests in flight', fmt(health.concurrent_requests),
      'of ' + fmt(health.max_concurrent_requests) + ', ' + fmt(health.waiting_requests) + ' waiting',
      meterBar(health.concurrent_requests || 0, health.max_concurrent_requests || 1)));
    tiles.push(tile('streams', 'Streams in flight', fmt(health.concurrent_streaming),
      'of ' + fmt(health.max_concurrent_streaming),
      meterBar(health.concurrent_streaming || 0, health.max_concurrent_streaming || 1)));
    tiles.push(tile('rejected', 'Rejected (admission)', fmt((c.rejected_requests || 0) + (c.rejected_streaming || 0)),
      'requests + streams, since start'));
    if (t) {
      const dt = previous && previous.traffic ? (now - previous.at) / 1000 : 0;
      const dn = dt > 0 ? t.count - previous.traffic.count : 0;
      const rate = dt > 0 ? dn / dt : 0;
      const mean = dn > 0 ? (t.seconds - previous.traffic.seconds) / dn * 1000 : 0;
      const errors = dt > 0 ? (t.errors - previous.traffic.errors) / dt : 0;
      tiles.push(tile('rate', 'API request rate', rate.toFixed(1) + '/s', fmt(t.count) + ' API requests since start'));
      tiles.push(tile('latency', 'Latency', mean.toFixed(1) + ' ms', 'mean last second; worst p95 ' + (t.p95 * 1000).toFixed(1) + ' ms'));
      tiles.push(tile('errors', 'Server errors', errors.toFixed(1) + '/s', fmt(t.errors) + ' answers 5xx since start'));
    }
    if (metrics.database) {
      tiles.push(tile('db', 'PostgreSQL pool', fmt(metrics.database.active) + ' / ' + fmt(metrics.database.pool_size),
        fmt(metrics.database.waiting) + ' waiting', meterBar(metrics.database.active || 0, metrics.database.pool_size || 1)));
    }
    if (metrics.redis) {
      tiles.push(tile('redis', 'Redis pool', fmt(metrics.redis.active) + ' / ' + fmt(metrics.redis.max_total),
        fmt(metrics.redis.waiting) + ' waiting', meterBar(metrics.redis.active || 0, metrics.redis.max_total || 1)));
    }
    document.getElementById('headline').replaceChildren(...tiles);

    const sections = [];
    for (const [name, value] of Object.entries(metrics)) {
      const leaves = value && typeof value === 'object' && !Array.isArray(value) ? flatten(value, '', {}) : { value: value };
      sections.push(card(name, leaves, previous && previous.seen));
      for (const [k, v] of Object.entries(leaves)) seen[name + '/' + k] = v;
    }
    document.getElementById('sections').replaceChildren(...sections);

    const groups = meterGroups(app);
    const cards = Object.keys(groups).sort().map(g => {
      const rows = Object.fromEntries(Object.entries(groups[g]).sort((a, b) => a[0].localeCompare(b[0])));
      for (const [k, v] of Object.entries(rows)) seen['meter:' + g + '/' + k] = v;
      return card('meter:' + g, rows, previous && previous.seen);
    });
    cards.forEach(cd => { cd.querySelector('h3').textContent = human(cd.dataset.section.slice(6)); });
    document.getElementById('meters').replaceChildren(...cards);
    previous = { at: now, traffic: t, seen: seen };
  }

  async function tick() {
    const problem = document.getElementById('problem');
    try {
      const [metrics, health, meters] = await Promise.all([
        json('/metrics'), json('/health'), json('/observe/metrics').catch(() => null)]);
      render(metrics, health, meters);
      problem.hidden = true;
      document.getElementById('stamp').textContent = 'updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      problem.textContent = 'Cannot read the server\u2019s figures: ' + e.message;
      problem.hidden = false;
    } finally {
      setTimeout(tick, POLL_MS);
    }
  }

  tick();
})();
