// Dhamana on-sale command center. Plain JavaScript, no libraries, no build step.
// Everything shown comes from the server's JSON; text is always set with textContent, never parsed as markup.
'use strict';

const COLORS = ['#4c8dff', '#f2b233', '#2fbf71', '#d56cff'];
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const $ = (id) => document.getElementById(id);
const dollars = (minor) => money.format(minor / 100);

let floor = null;        // the last /api/floor answer
let buying = false;
let dropTimer = null;
let lastRuns = [];       // the drops on the chart, for redrawing on resize
const seatButtons = new Map();   // seat id -> its button, built once
const shown = new Map();         // panel -> the JSON it shows, to skip redrawing what did not change

// Whether data differs from what the panel shows now (and remembers it).
function changed(panel, data) {
  const text = JSON.stringify(data);
  if (shown.get(panel) === text) return false;
  shown.set(panel, text);
  return true;
}

/** Creates an element with attributes (class, text, aria-*, data-*, properties) and children. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('aria-') || k.startsWith('data-') || k === 'role') node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c);
  }
  return node;
}

/** Calls the API; throws an Error carrying the server's code and message on any non-2xx answer. */
async function api(method, path, params) {
  const options = { method, headers: { Accept: 'application/json' } };
  if (method === 'POST') options.body = new URLSearchParams(params || {});
  const res = await fetch(path, options);
  let data;
  try {
    data = await res.json();
  } catch (e) {
    data = { error: { code: 'BAD_RESPONSE', message: 'the server sent no JSON (' + res.status + ')' } };
  }
  if (!res.ok) {
    const err = new Error((data.error && data.error.message) || res.statusText);
    err.code = (data.error && data.error.code) || String(res.status);
    err.status = res.status;
    throw err;
  }
  return data;
}

function showNotice(node, kind, ...children) {
  node.replaceChildren(...children);
  node.className = 'notice ' + kind;
  node.hidden = false;
}

function refusal(err) {
  const what = err.status === 409 && err.code !== 'BUSY' ? 'Refused by the store at commit: '
    : err.status === 400 ? 'Bad request: ' : 'Failed: ';
  return [el('span', { text: what }), el('span', { class: 'code', text: err.code }),
    el('span', { text: ' — ' + err.message })];
}

// ------------------------------------------------------------------ the floor

function seatsByRow(seats) {
  const rows = new Map();
  for (const s of seats) {
    const row = s.id.split('-')[0];
    if (!rows.has(row)) rows.set(row, []);
    rows.get(row).push(s);
  }
  return rows;
}

function seatClass(s) {
  if (s.mine) return 'mine';
  return s.state.toLowerCase();
}

function renderFloor(data) {
  floor = data;
  $('face-value').textContent = dollars(data.faceValueMinor);
  $('me').textContent = data.me;
  $('cap').textContent = data.perBuyerCap;
  $('cap-used').textContent = data.used;
  $('resale-cap').textContent = dollars(data.resaleCapMinor);
  $('resale-cap-pct').textContent = data.resaleCapPercent;
  if (!seatButtons.size) buildSeatMap(data.seats);
  // Update the buttons in place: a keyboard user's focus survives the periodic refresh.
  for (const s of data.seats) updateSeat(seatButtons.get(s.id), s, data.faceValueMinor);
  fillSeatChoices(data.seats);
}

function buildSeatMap(seats) {
  const rows = [];
  for (const [row, rowSeats] of seatsByRow(seats)) {
    const buttons = rowSeats.map((s, i) => {
      const b = el('button', { type: 'button', 'data-seat': s.id });
      b.addEventListener('click', () => buy(s.id, b));
      seatButtons.set(s.id, b);
      return i === 5 ? [b, el('span', { class: 'aisle', 'aria-hidden': 'true' })] : [b];
    }).flat();
    rows.push(el('div', { class: 'seat-row', role: 'group', 'aria-label': 'Row ' + row },
      el('span', { class: 'row-label', text: row, 'aria-hidden': 'true' }), ...buttons));
  }
  $('seat-map').replaceChildren(...rows);
}

function updateSeat(b, s, priceMinor) {
  const open = s.state === 'AVAILABLE';
  const state = s.mine ? 'yours' : s.state.toLowerCase();
  b.className = 'seat ' + seatClass(s);
  b.textContent = s.id.split('-')[1];
  b.disabled = !open || buying;
  b.title = s.id + ': ' + state;
  b.setAttribute('aria-label', 'Seat ' + s.id + ', ' + state + (open ? ', buy for ' + dollars(priceMinor) : ''));
  b.setAttribute('data-state', s.mine ? 'MINE' : s.state);
}

function fillSeatChoices(seats) {
  const select = $('bk-seat');
  if (select.options.length) return;
  for (const s of seats) select.append(el('option', { value: s.id, text: s.id }));
  select.value = 'D-6';
}

async function loadFloor() {
  renderFloor(await api('GET', '/api/floor'));
}

async function buy(seat, button) {
  if (buying) return;
  buying = true;
  button.classList.add('busy');
  button.textContent = '…';
  const box = $('confirmation');
  try {
    const r = await api('POST', '/api/buy', { seat });
    showNotice(box, 'ok',
      el('span', { text: 'Seat ' + r.seat + ' is yours. Confirmation code ' }),
      el('span', { id: 'confirmation-code', class: 'confirm-code', text: r.ticket.code }),
      el('ol', {}, ...r.steps.map((s) => el('li', { text: s }))));
  } catch (err) {
    showNotice(box, 'refused', ...refusal(err));
  } finally {
    buying = false;
    await refreshAll();
  }
}

// ------------------------------------------------------------------ my tickets and resale

function renderTickets(data) {
  const live = data.tickets.filter((t) => t.state !== 'REFUNDED');
  const box = $('my-tickets');
  if (!data.tickets.length) {
    box.replaceChildren(el('p', { class: 'empty', text: 'No tickets yet: pick a seat on the floor.' }));
  } else {
    const rows = data.tickets.map((t) => {
      const actions = el('td');
      if (t.state === 'VALID') {
        const refund = el('button', { type: 'button', text: 'Refund', 'aria-label': 'Refund seat ' + t.seat });
        refund.addEventListener('click', () => ticketAction('/api/refund', t.id));
        actions.append(refund);
      } else if (t.state === 'LISTED') {
        const w = el('button',
          { type: 'button', text: 'Withdraw', 'aria-label': 'Withdraw listing of seat ' + t.seat });
        w.addEventListener('click', () => ticketAction('/api/withdraw', t.id));
        actions.append(w);
      }
      const state = t.state === 'LISTED' && t.listing
        ? 'listed at ' + dollars(t.listing.askMinor) : t.state.toLowerCase();
      return el('tr', { 'data-seat': t.seat },
        el('td', { text: t.seat }), el('td', { class: 'code', text: t.code }),
        el('td', { text: state }), actions);
    });
    box.replaceChildren(el('table', { id: 'tickets-table' },
      el('caption', { class: 'hint', text: 'Tickets owned by ' + data.me + ' on the floor' }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Seat' }), el('th', { scope: 'col', text: 'Code' }),
        el('th', { scope: 'col', text: 'State' }), el('th', { scope: 'col', text: 'Actions' }))),
      el('tbody', {}, ...rows)));
  }
  const select = $('resale-ticket');
  const chosen = select.value;
  const valid = live.filter((t) => t.state === 'VALID');
  select.replaceChildren(...valid.map((t) => el('option', { value: t.id, text: 'Seat ' + t.seat })));
  if (valid.some((t) => t.id === chosen)) select.value = chosen;
  select.disabled = !valid.length;
  $('resale-list').disabled = !valid.length;
  if (!valid.length) select.append(el('option', { value: '', text: 'no ticket to list' }));
}

async function loadTickets() {
  const data = await api('GET', '/api/tickets');
  if (changed('tickets', data)) renderTickets(data);
}

async function ticketAction(path, ticket) {
  const box = $('resale-result');
  try {
    const r = await api('POST', path, { ticket });
    const what = r.listing ? 'Listing ' + r.listing.state.toLowerCase() : 'Ticket ' + r.ticket.state.toLowerCase();
    showNotice(box, 'ok', el('span', { text: what + '.' }));
  } catch (err) {
    showNotice(box, 'refused', ...refusal(err));
  }
  await refreshAll();
}

function showAsk() {
  $('resale-ask-out').textContent = dollars($('resale-ask').value * 100);
}

async function listForResale(event) {
  event.preventDefault();
  const ticket = $('resale-ticket').value;
  if (!ticket) return;
  const askMinor = String($('resale-ask').value * 100);
  const box = $('resale-result');
  try {
    const r = await api('POST', '/api/resale', { ticket, askMinor });
    showNotice(box, 'ok', el('span', { id: 'resale-outcome', text: 'Listed at ' + dollars(r.listing.askMinor)
      + ' (cap ' + dollars(r.listing.capMinor) + '). The store accepted it.' }));
  } catch (err) {
    showNotice(box, 'refused', ...refusal(err));
    box.firstChild.id = 'resale-outcome';
  }
  await refreshAll();
}

// ------------------------------------------------------------------ proof panel

const FIGURES = [
  ['sold', 'Sold'], ['held', 'Held'], ['remaining', 'Remaining'],
  ['oversold', 'Oversold', true], ['doubleBookedSeats', 'Seats with two owners', true],
  ['doubleSoldTickets', 'Tickets sold twice', true], ['capViolations', 'Buyers over the cap', true],
  ['stockDrift', 'Stock drift', true], ['ledgerDrift', 'Ledger drift (units)', true],
];

function renderAudit(a) {
  const verdict = $('proof-verdict');
  verdict.textContent = a.clean ? 'Clean: every invariant holds (' + a.event + ')'
    : 'Violations found in ' + a.event;
  verdict.className = 'verdict ' + (a.clean ? 'clean' : 'dirty');
  const items = [];
  for (const [key, label, violation] of FIGURES) {
    const v = a[key];
    items.push(el('dt', { text: label }),
      el('dd', { id: 'proof-' + key, class: violation ? (v ? 'bad' : 'good') : '', text: count.format(v) }));
  }
  const balanced = a.moneyImbalanceMinor === 0 && a.unbalancedOperations === 0;
  items.push(el('dt', { text: 'Ledger balance' }),
    el('dd', { id: 'proof-ledger', class: balanced ? 'good' : 'bad',
      text: balanced ? 'balanced (Σ = $0.00)' : 'off by ' + dollars(a.moneyImbalanceMinor) }));
  $('proof-figures').replaceChildren(...items);
  const recon = $('proof-recon');
  recon.textContent = 'Σhold ' + count.format(a.unitsHeldEver) + (a.reconciles ? ' = ' : ' ≠ ')
    + 'outstanding ' + count.format(a.outstanding) + ' + Σrelease ' + count.format(a.unitsReleased)
    + ' + Σrefund ' + count.format(a.unitsRefunded) + (a.reconciles ? '  ✓' : '  ✗');
  recon.className = 'recon ' + (a.reconciles ? 'good' : 'bad');
  const contested = $('proof-contested');
  if (a.contestedSeats.length) {
    contested.replaceChildren(el('p', { class: 'recon-title', text: 'Seats with more than one claim' }),
      el('ul', { class: 'chips' }, ...a.contestedSeats.map((c) =>
        el('li', { text: c.seat + ': ' + c.claimants.length + ' claimants' }))));
  } else {
    contested.replaceChildren();
  }
}

async function loadAudit() {
  const scope = $('proof-scope').value;
  try {
    const data = await api('GET', '/api/audit?scope=' + encodeURIComponent(scope));
    if (changed('audit', data)) renderAudit(data);
  } catch (err) {
    if (err.status !== 404 && err.status !== 409) throw err;
    shown.delete('audit');
    $('proof-verdict').textContent = 'Nothing to audit yet: ' + err.message + '.';
    $('proof-verdict').className = 'verdict';
    $('proof-figures').replaceChildren();
    $('proof-recon').textContent = '…';
    $('proof-contested').replaceChildren();
  }
}

// ------------------------------------------------------------------ Break it

function miniMap(r) {
  const contested = new Set(r.audit.contestedSeats.map((c) => c.seat));
  const rows = [];
  for (const [row, seats] of seatsByRow(r.seats)) {
    rows.push(el('div', { class: 'mini-row' }, ...seats.map((s) => el('span', {
      class: 'mini-seat ' + (contested.has(s.id) ? 'contested' : s.state.toLowerCase())
        + (s.id === r.seat ? ' target' : ''),
    }))));
  }
  return el('div', { class: 'mini-map', role: 'img', 'aria-label': 'Scratch copy of the seat map after the run; seat '
    + r.seat + ' has ' + r.holderCount + ' holder(s)' }, ...rows);
}

function renderBreakIt(mode, r) {
  const box = $('bk-result-' + mode);
  const name = mode === 'guarded' ? 'Guarded' : 'Naive count-then-insert';
  const title = el('h3', { id: 'bk-' + mode + '-title', text: name });
  if (!r) {
    box.replaceChildren(title, el('p', { class: 'empty', text: 'Not run yet.' }));
    return;
  }
  const one = r.holderCount === 1;
  const parts = [title,
    el('p', { text: r.buyers + ' buyers → seat ' + r.seat + ' (run ' + r.run + ', '
      + r.elapsedMs.toFixed(0) + ' ms)' }),
    el('div', { id: mode + '-holders', class: 'big ' + (one ? 'good' : 'bad'), text: String(r.holderCount) }),
    el('p', { text: (one ? 'person holds' : 'people hold') + ' this one seat, counted from committed rows' })];
  if (mode === 'guarded') {
    const w = r.holders[0];
    parts.push(el('p', { id: 'guarded-winner', text: w ? 'Winner: ' + w.buyer + ' (' + w.region + ')' : 'No winner' }));
  } else {
    parts.push(el('p', {}, el('span', { text: 'Oversold: ' }),
      el('strong', { id: 'naive-oversold', text: String(r.extraHolders) }),
      el('span', { text: ' extra holder(s); damage ' }),
      el('strong', { id: 'naive-damage', text: dollars(r.damageMinor) }),
      el('span', { text: ' at ' + dollars(r.faceValueMinor) + ' face value' })));
  }
  parts.push(el('p', { class: 'hint', text: 'The app told ' + r.appWinners + ' buyer(s) “you got it”.' }));
  parts.push(el('ul', { class: 'chips', 'aria-label': 'Holders' },
    ...r.holders.slice(0, 24).map((h) => el('li', { class: h.region, text: h.buyer + ' · ' + h.region }))));
  if (r.holders.length > 24) {
    parts.push(el('p', { class: 'hint', text: '…and ' + (r.holders.length - 24) + ' more' }));
  }
  parts.push(miniMap(r));
  box.replaceChildren(...parts);
}

async function runBreakIt(mode) {
  const status = $('bk-status');
  const buttons = [$('bk-guarded'), $('bk-naive')];
  buttons.forEach((b) => { b.disabled = true; });
  showNotice(status, '', el('span', { text: 'Stampede (' + mode + ') running…' }));
  try {
    const r = await api('POST', '/api/breakit', { seat: $('bk-seat').value, buyers: $('bk-buyers').value, mode });
    renderBreakIt(mode, r);
    showNotice(status, 'ok', el('span', { id: 'bk-done', text: 'Run ' + r.run + ' (' + mode + ') finished on '
      + r.event + '.' }));
  } catch (err) {
    showNotice(status, 'refused', ...refusal(err));
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
  await loadAudit();
}

async function loadBreakIts() {
  const r = await api('GET', '/api/breakit');
  renderBreakIt('guarded', r.guarded);
  renderBreakIt('naive', r.naive);
}

// ------------------------------------------------------------------ GA drop

function niceMax(v) {
  if (v <= 0) return 10;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function drawChart(runs) {
  lastRuns = runs;
  const canvas = $('drop-chart');
  const ratio = window.devicePixelRatio || 1;
  // Draw at the size the canvas is shown at, so text stays crisp and unscaled.
  const w = Math.max(320, Math.round(canvas.clientWidth || 760));
  const h = Math.round(Math.min(320, Math.max(220, w * 0.3)));
  canvas.width = w * ratio;
  canvas.height = h * ratio;
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  const left = 64;
  const right = 16;
  const top = 16;
  const bottom = 36;
  const maxT = runs.length ? Math.max(1, ...runs.map((r) => r.seconds)) : 10;
  const maxY = niceMax(Math.max(0, ...runs.flatMap((r) => r.points.map((p) => p[1]))));
  const x = (t) => left + (w - left - right) * t / maxT;
  const y = (v) => h - bottom - (h - top - bottom) * v / maxY;
  g.font = '12px system-ui, sans-serif';
  g.strokeStyle = '#2a3449';
  g.fillStyle = '#9aa6bd';
  g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = maxY * i / 4;
    g.beginPath();
    g.moveTo(left, y(v));
    g.lineTo(w - right, y(v));
    g.stroke();
    g.textAlign = 'right';
    g.fillText(count.format(v), left - 6, y(v) + 4);
  }
  g.textAlign = 'center';
  for (let t = 0; t <= maxT; t += maxT > 10 ? 5 : 1) g.fillText(t + ' s', x(t), h - bottom + 16);
  g.save();
  g.translate(14, (top + h - bottom) / 2);
  g.rotate(-Math.PI / 2);
  g.fillText('holds / s', 0, 0);
  g.restore();
  runs.forEach((r, n) => {
    if (!r.points.length) return;
    g.strokeStyle = COLORS[n % COLORS.length];
    g.lineWidth = r.running ? 3 : 2;
    g.beginPath();
    r.points.forEach((p, i) => (i ? g.lineTo(x(p[0]), y(p[1])) : g.moveTo(x(p[0]), y(p[1]))));
    g.stroke();
  });
  if (!runs.length) {
    g.textAlign = 'center';
    g.fillText('Start a drop to see holds per second.', w / 2, h / 2);
  }
}

function describeRun(r) {
  const audit = r.audit ? (r.audit.clean ? 'audit clean, oversold ' + r.audit.oversold : 'AUDIT FOUND VIOLATIONS') : '';
  const state = r.failure ? 'failed: ' + r.failure : r.running ? 'running…' : audit;
  return r.buckets + (r.buckets === 1 ? ' bucket' : ' buckets') + ': mean ' + count.format(r.meanPerSecond)
    + ' holds/s, peak ' + count.format(r.peakPerSecond) + ', ' + count.format(r.holds) + ' holds, '
    + count.format(r.conflicts) + ' conflicts, ' + count.format(r.gaveUp) + ' gave up after retries; ' + state;
}

function renderDrops(data) {
  drawChart(data.runs);
  // Colours follow the position on the chart (oldest first), so the legend and the lines always agree.
  $('drop-legend').replaceChildren(...data.runs.map((r, n) => el('li', { 'data-run': r.id },
    el('span', { class: 'swatch c' + (n % COLORS.length), 'aria-hidden': 'true' }),
    el('span', { text: describeRun(r) }))));
  $('drop-chart').setAttribute('aria-label', data.runs.length
    ? 'Chart of committed holds per second over time. ' + data.runs.map(describeRun).join('. ')
    : 'Chart of committed holds per second over time; no drop run yet');
  $('drop-start').disabled = data.running;
  if (data.running && !dropTimer) {
    dropTimer = setInterval(pollDrops, 400);
  } else if (!data.running && dropTimer) {
    clearInterval(dropTimer);
    dropTimer = null;
    const last = data.runs[data.runs.length - 1];
    showNotice($('drop-status'), 'ok', el('span', { id: 'drop-done', text: 'Drop ' + last.id + ' finished on '
      + last.store + '.' }));
    loadAudit();
  }
}

async function pollDrops() {
  try {
    renderDrops(await api('GET', '/api/drop'));
  } catch (err) {
    showNotice($('drop-status'), 'refused', ...refusal(err));
  }
}

async function startDrop(event) {
  event.preventDefault();
  const buckets = $('drop-buckets').value;
  const seconds = $('drop-seconds').value;
  $('drop-start').disabled = true;
  try {
    const r = await api('POST', '/api/drop', { buckets, seconds });
    showNotice($('drop-status'), '', el('span', { text: 'Drop ' + r.id + ' running on ' + r.buckets
      + ' bucket(s): verifying ' + count.format(r.buyers) + ' fans, then ' + r.seconds + ' s of holds…' }));
  } catch (err) {
    showNotice($('drop-status'), 'refused', ...refusal(err));
  }
  await pollDrops();
}

// ------------------------------------------------------------------ wiring

async function refreshAll() {
  await Promise.all([loadFloor(), loadTickets(), loadAudit()]);
}

function guard(fn) {
  return (...args) => fn(...args).catch((err) => console.error(err));
}

document.addEventListener('DOMContentLoaded', () => {
  $('resale-ask').addEventListener('input', showAsk);
  $('resale-form').addEventListener('submit', guard(listForResale));
  $('proof-scope').addEventListener('change', guard(loadAudit));
  $('bk-guarded').addEventListener('click', guard(() => runBreakIt('guarded')));
  $('bk-naive').addEventListener('click', guard(() => runBreakIt('naive')));
  $('breakit-form').addEventListener('submit', (e) => e.preventDefault());
  $('drop-buckets').addEventListener('input', () => { $('drop-buckets-out').textContent = $('drop-buckets').value; });
  $('drop-form').addEventListener('submit', guard(startDrop));
  window.addEventListener('resize', () => drawChart(lastRuns));
  showAsk();
  guard(refreshAll)();
  guard(loadBreakIts)();
  guard(pollDrops)();
  // Other tabs and other buyers change the floor too; keep the picture current.
  setInterval(guard(async () => { if (!buying) await refreshAll(); }), 3000);
});
