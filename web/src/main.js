// The common operational picture: a MapLibre map with no tile server (borders, zones and
// infrastructure come from the binary itself) and deck.gl layers over it for the tracks
// (tens of thousands move at once: one icon layer of MIL-STD-2525 symbols drawn by milsymbol
// into one atlas, dots and short trails coloured by altitude band); incidents with their
// evidence; activations with live deadline clocks; the obligations board per party with the
// signed-in party's acts; the ledger as verified by this browser; readiness plots (uPlot);
// and a time slider that replays any period of the record. Every request goes to the page's
// own origin.
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// maplibre-gl 6 looks for its worker beside its own module (`import.meta.url`), which in a
// bundle is our `assets/index-*.js`, where no worker file is: every GeoJSON source then
// fails in silence and the map draws only its background. Vite copies the (self-contained)
// worker into the bundle with `?url` and we point maplibre at it.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { IconLayer, PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import ms from 'milsymbol';
import { startLedger } from './ledger-panel.js';
import { startReadiness } from './readiness.js';
import './style.css';

const BAND_COLOURS = { surface: [31, 120, 180], low: [227, 26, 28], medium: [255, 127, 0], high: [106, 61, 154] };
const UNKNOWN_COLOUR = [85, 85, 85];
const TRAIL_POINTS = 24;
const CLASSES = ['drone', 'jet_drone', 'cruise_missile', 'ballistic_missile', 'manned_aircraft', 'helicopter', 'vessel', 'unknown'];

const state = {
  tracks: new Map(), trails: new Map(), eventTime: null, live: true,
  obligations: new Map(), activations: new Map(), incidents: [], firstTime: null,
  // While the slider replays the record: its time and the tracks at that time.
  replay: null,
};
window.guarantor = state; // the browser test reads the picture from here

maplibregl.setWorkerUrl(workerUrl);

const map = new maplibregl.Map({
  container: 'map',
  style: {
    version: 8,
    sources: {},
    layers: [{ id: 'sea', type: 'background', paint: { 'background-color': '#c9dbe8' } }],
  },
  center: [26, 50], zoom: 4.6, attributionControl: false,
});
window.guarantorMap = map; // the browser test asks it what it drew (queryRenderedFeatures)
// A source or layer that fails (a worker, a bad GeoJSON) otherwise fails without a word.
map.on('error', (e) => console.error(`map: ${e.error?.message || e.error || e}`));

// deck.gl shares maplibre's WebGL2 context (interleaved), so tracks draw under the map's
// labels-free layers in one canvas and one frame.
const overlay = new MapLibreOverlay({ interleaved: true, layers: [] });
window.guarantorDeck = overlay; // the browser test picks the drawn tracks through it
window.guarantorDraw = () => drawTracks(); // and times a redraw of many tracks

function sidc(t) {
  // 2525C letter codes: hostile unless it transmits its identity (then neutral).
  const aff = t.cooperative ? 'N' : 'H';
  switch (t.class) {
    case 'drone': case 'jet_drone': return `S${aff}APMFQ----`;
    case 'cruise_missile': case 'ballistic_missile': return `S${aff}APW-----`;
    case 'manned_aircraft': return `S${aff}APM-----`;
    case 'helicopter': return `S${aff}APMH----`;
    case 'vessel': return `S${aff}SP------`;
    default: return `S${aff}AP------`;
  }
}

// Every symbol the page can show, drawn once by milsymbol into one atlas: the icon layer
// then draws any number of tracks in one call.
function symbolAtlas() {
  const codes = [...new Set(CLASSES.flatMap((c) => [false, true].map((cooperative) => sidc({ class: c, cooperative }))))];
  const symbols = codes.map((code) => [code, new ms.Symbol(code, { size: 18 })]);
  const pad = 2;
  const width = symbols.reduce((w, [, s]) => w + Math.ceil(s.getSize().width) + pad, 0);
  const height = Math.max(...symbols.map(([, s]) => Math.ceil(s.getSize().height)));
  const canvas = document.createElement('canvas');
  canvas.width = width; canvas.height = height;
  const ctx = canvas.getContext('2d');
  const mapping = {};
  let x = 0;
  for (const [code, s] of symbols) {
    const c = s.asCanvas();
    ctx.drawImage(c, x, 0);
    const a = s.getAnchor();
    mapping[code] = { x, y: 0, width: c.width, height: c.height, anchorX: a.x, anchorY: a.y, mask: false };
    x += c.width + pad;
  }
  // A data: URL stays inside the page (no request leaves it).
  return { url: canvas.toDataURL(), mapping };
}
const atlas = symbolAtlas();

async function json(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}
window.guarantorJson = json;

map.on('load', async () => {
  map.addSource('borders', { type: 'geojson', data: '/geo/borders.geojson' });
  map.addLayer({ id: 'land', type: 'fill', source: 'borders',
    paint: { 'fill-color': ['case', ['==', ['get', 'iso_a2'], 'UA'], '#f3eecb', '#eeeeea'] } });
  map.addLayer({ id: 'borders', type: 'line', source: 'borders', paint: { 'line-color': '#777', 'line-width': 1 } });
  const files = await json('/geo');
  const zones = { type: 'FeatureCollection', features: [] };
  for (const f of files.filter((f) => f.startsWith('zones/'))) {
    const fc = await json(`/geo/${f}`);
    for (const feat of fc.features || [fc]) zones.features.push({ ...feat, properties: { ...(feat.properties || {}), file: f } });
  }
  map.addSource('zones', { type: 'geojson', data: zones });
  map.addLayer({ id: 'zones', type: 'line', source: 'zones', paint: { 'line-color': '#b15928', 'line-width': 1, 'line-dasharray': [2, 2] } });
  map.addSource('infrastructure', { type: 'geojson', data: '/geo/infrastructure.geojson' });
  map.addLayer({ id: 'infra-lines', type: 'line', source: 'infrastructure', filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#33a02c', 'line-width': 1.5 } });
  map.addLayer({ id: 'infra-points', type: 'circle', source: 'infrastructure', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': '#33a02c', 'circle-radius': 3 } });
  map.addSource('incidents', { type: 'geojson', data: empty() });
  map.addLayer({ id: 'incidents', type: 'circle', source: 'incidents', paint: { 'circle-color': '#000', 'circle-radius': 6, 'circle-stroke-color': '#ff0', 'circle-stroke-width': 2 } });
  map.on('click', 'incidents', (e) => showIncident(e.features[0].properties.id));
  map.addControl(overlay);
  await refresh();
  connect();
  startLedger(document.getElementById('ledger'));
  startReadiness(document.getElementById('readiness'));
  document.body.dataset.ready = 'true';
});

function empty() { return { type: 'FeatureCollection', features: [] }; }

async function refresh() {
  const [tracks, incidents, activations, obligations, status] = await Promise.all([
    json('/api/v1/tracks'), json('/api/v1/incidents'), json('/api/v1/activations'),
    json('/api/v1/obligations'), json('/api/v1/status'),
  ]);
  state.tracks = new Map(tracks.map((t) => [t.id, t]));
  state.incidents = incidents.reverse();
  state.activations = new Map(activations.map((a) => [a.id, a]));
  state.obligations = new Map(obligations.map((o) => [o.id, o]));
  if (status.event_time) setTime(status.event_time);
  for (const i of state.incidents) noteTime(i.time);
  redraw();
}

function connect() {
  const source = new EventSource('/api/v1/live');
  source.addEventListener('tracks', (e) => {
    const d = JSON.parse(e.data);
    setTime(d.at);
    // A scan carries the tracks it updated and those that ended.
    for (const t of d.tracks) {
      state.tracks.set(t.id, t);
      const trail = state.trails.get(t.id) || [];
      trail.push([t.lon_deg, t.lat_deg]);
      if (trail.length > TRAIL_POINTS) trail.shift();
      state.trails.set(t.id, trail);
    }
    for (const id of d.removed) { state.tracks.delete(id); state.trails.delete(id); }
    scheduleTracks();
  });
  source.addEventListener('incident', (e) => { state.incidents.push(JSON.parse(e.data)); drawIncidents(); });
  source.addEventListener('activation', (e) => { const a = JSON.parse(e.data); state.activations.set(a.id, a); renderActivations(); });
  source.addEventListener('obligation', (e) => { const o = JSON.parse(e.data); state.obligations.set(o.id, o); renderObligations(); });
  source.addEventListener('ledger', (e) => window.dispatchEvent(new CustomEvent('guarantor-ledger', { detail: JSON.parse(e.data) })));
  source.addEventListener('delivery', () => window.dispatchEvent(new CustomEvent('guarantor-delivery')));
  source.addEventListener('lagged', () => refresh());
}

// Scans can come faster than frames: draw at most once a frame.
let pending = false;
function scheduleTracks() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; if (!state.replay) drawTracks(); });
}

function noteTime(at) {
  const t = new Date(at);
  if (!state.firstTime || t < state.firstTime) state.firstTime = t;
}

function setTime(at) {
  state.eventTime = new Date(at);
  noteTime(at);
  document.getElementById('clock').textContent = stamp(at);
  const slider = document.getElementById('slider');
  slider.max = String(Math.round((state.eventTime - state.firstTime) / 1000));
  if (!state.replay) slider.value = slider.max;
}

function stamp(at) { return at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'); }

/** The time the panels show: the replay's, or the live event time. */
function viewTime() { return state.replay ? state.replay.at : state.eventTime; }

function drawTracks() {
  const replay = state.replay;
  const list = replay ? replay.tracks : [...state.tracks.values()];
  const rows = list.map((t) => {
    const full = state.tracks.get(t.id) || t;
    return { id: t.id, position: [t.lon_deg, t.lat_deg], sidc: sidc(full), colour: BAND_COLOURS[full.band] || UNKNOWN_COLOUR };
  });
  const trailSource = replay ? replay.trails : state.trails;
  const trails = [];
  for (const [id, path] of trailSource) {
    if (path.length > 1) trails.push({ id, path, colour: BAND_COLOURS[state.tracks.get(id)?.band] || UNKNOWN_COLOUR });
  }
  overlay.setProps({
    layers: [
      new PathLayer({ id: 'trails', data: trails, getPath: (d) => d.path, getColor: (d) => [...d.colour, 180],
        widthUnits: 'pixels', getWidth: 2 }),
      new ScatterplotLayer({ id: 'track-dots', data: rows, getPosition: (d) => d.position, getFillColor: (d) => d.colour,
        radiusUnits: 'pixels', getRadius: 3 }),
      new IconLayer({ id: 'track-symbols', data: rows, pickable: true, iconAtlas: atlas.url, iconMapping: atlas.mapping,
        getIcon: (d) => d.sidc, getPosition: (d) => d.position, sizeUnits: 'pixels', getSize: 26,
        onClick: ({ object }) => object && showTrack(object.id) }),
    ],
  });
  document.getElementById('map').dataset.tracks = String(rows.length);
}

function showTrack(id) {
  const t = state.tracks.get(id);
  document.getElementById('evidence').textContent = t ? JSON.stringify(t, null, 1) : '';
}

function visible(time) {
  const at = viewTime();
  return !state.replay || !at || new Date(time) <= at;
}

function redraw() {
  drawTracks(); drawIncidents(); renderActivations(); renderObligations();
}

function drawIncidents() {
  const shown = state.incidents.filter((i) => visible(i.time));
  const features = shown.filter((i) => i.lat_deg != null).map((i) => ({
    type: 'Feature', geometry: { type: 'Point', coordinates: [i.lon_deg, i.lat_deg] }, properties: { id: i.id } }));
  map.getSource('incidents')?.setData({ type: 'FeatureCollection', features });
  const ul = document.getElementById('incidents');
  ul.replaceChildren(...shown.slice(-12).reverse().map((i) => {
    const li = document.createElement('li');
    li.textContent = `${i.time.slice(11, 19)} ${i.kind} ${i.origin || ''} ${(i.zones || []).join(',')}`;
    li.onclick = () => showIncident(i.id);
    return li;
  }));
}

function showIncident(id) {
  const i = state.incidents.find((x) => x.id === id);
  document.getElementById('evidence').textContent = i ? JSON.stringify(i.evidence, null, 1) : '';
}

function clock(deadline) {
  const now = viewTime();
  if (!now) return '';
  const s = Math.round((new Date(deadline) - now) / 1000);
  const sign = s < 0 ? '−' : '';
  const a = Math.abs(s);
  return `${sign}${Math.floor(a / 3600)}h${String(Math.floor(a / 60) % 60).padStart(2, '0')}m${String(a % 60).padStart(2, '0')}s`;
}

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function clockEl(deadline) {
  return el('span', { className: 'clock', title: `deadline ${deadline}` }, clock(deadline));
}

function renderActivations() {
  const ul = document.getElementById('activations');
  ul.replaceChildren(...[...state.activations.values()].filter((a) => visible(a.at)).map((a) => {
    const li = el('li', { className: `activation${a.late ? ' late' : ''}` },
      el('b', {}, a.response), ` rung ${a.rung} `, clockEl(a.deadline),
      el('div', { className: 'cause' }, `${stamp(a.at)} · ${a.cause} · ${a.obligations.length} obligations`));
    li.dataset.id = a.id;
    li.querySelector('.clock').dataset.deadline = a.deadline;
    return li;
  }));
  tickClocks();
}

function renderObligations() {
  const party = document.getElementById('party').value;
  const byParty = new Map();
  for (const o of state.obligations.values()) {
    if (!visible(o.created_at)) continue;
    if (!byParty.has(o.party)) byParty.set(o.party, []);
    byParty.get(o.party).push(o);
  }
  const board = document.getElementById('obligations');
  board.replaceChildren(...[...byParty.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, list]) => {
    const open = list.filter((o) => o.state === 'created' || o.state === 'overdue').length;
    const ul = el('ul', {}, ...list.map((o) => {
      const assets = o.assets.map((x) => `${x.quantity}×${x.asset}`).join(' ');
      const li = el('li', { className: `obligation ${o.state}` },
        el('b', {}, o.party), ` ${o.action} ${assets} `, el('i', {}, o.state), ' ', clockEl(o.deadline), ' ');
      li.dataset.id = o.id;
      li.dataset.party = o.party;
      li.querySelector('.clock').dataset.deadline = o.deadline;
      for (const act of ['acknowledge', 'discharge']) {
        // Anyone signed in may try; the server's policy decides (and says why it refuses).
        const b = el('button', { textContent: act, className: act, disabled: !party || !!state.replay });
        b.onclick = () => actOn(o.id, act);
        li.append(b, ' ');
      }
      return li;
    }));
    const div = el('div', { className: `party${p === party ? ' mine' : ''}` }, el('h3', {}, `${p} · ${list.length} (${open} open)`), ul);
    div.dataset.party = p;
    return div;
  }));
  tickClocks();
}

async function actOn(id, act) {
  const token = document.getElementById('token').value;
  const r = await fetch(`/api/v1/obligations/${id}/${act}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ nonce: `${Date.now()}-${Math.random()}` }),
  });
  const body = await r.json();
  const out = document.getElementById('act-result');
  if (r.ok) {
    state.obligations.set(body.obligation.id, body.obligation);
    renderObligations();
    out.textContent = `${act}: ${body.obligation.state} (ledger entry ${body.ledger_index})`;
    out.className = 'ok';
  } else {
    out.textContent = `${r.status}: ${body.error.message}`;
    out.className = 'refused';
  }
}

function tickClocks() {
  for (const c of document.querySelectorAll('.clock')) c.textContent = clock(c.dataset.deadline);
}
setInterval(tickClocks, 1000);

document.getElementById('party').onchange = (e) => {
  const p = e.target.value;
  document.getElementById('token').value = p ? `demo-token-${p.toLowerCase()}` : '';
  renderObligations();
};
(async () => {
  const obligations = await json('/api/v1/obligations').catch(() => []);
  const parties = new Set(['UA', 'PL', 'RO', 'DE', 'FR', 'GB', 'NL', 'US', ...obligations.map((o) => o.party)]);
  const sel = document.getElementById('party');
  for (const p of parties) sel.append(new Option(p, p));
})();

// The time slider: any second of the record, from the first the page knows of to now.
// Positions come from the server's history (`/tracks/at`); trails are the replay's own.
let replayTimer = null;
let replayRequest = 0;
async function showAt(seconds) {
  if (!state.firstTime) return;
  const at = new Date(state.firstTime.getTime() + seconds * 1000);
  const iso = at.toISOString();
  const request = ++replayRequest;
  const tracks = await json(`/api/v1/tracks/at?at=${iso}`);
  if (request !== replayRequest) return; // a later move of the slider won
  const previous = state.replay;
  const trails = new Map();
  for (const t of tracks) {
    const before = previous && previous.at < at ? previous.trails.get(t.id) || [] : [];
    trails.set(t.id, [...before, [t.lon_deg, t.lat_deg]].slice(-TRAIL_POINTS));
  }
  state.replay = { at, tracks, trails };
  document.getElementById('slider-label').textContent = stamp(iso);
  document.body.dataset.mode = 'replay';
  redraw();
}
document.getElementById('slider').oninput = (e) => showAt(Number(e.target.value));
document.getElementById('play-btn').onclick = () => {
  if (replayTimer) { clearInterval(replayTimer); replayTimer = null; return; }
  const slider = document.getElementById('slider');
  const speed = Number(document.getElementById('speed').value);
  replayTimer = setInterval(() => {
    const next = Number(slider.value) + speed / 2;
    if (next >= Number(slider.max)) { clearInterval(replayTimer); replayTimer = null; goLive(); return; }
    slider.value = String(next);
    showAt(next);
  }, 500);
};
function goLive() {
  if (replayTimer) { clearInterval(replayTimer); replayTimer = null; }
  replayRequest++;
  state.replay = null;
  document.getElementById('slider-label').textContent = 'live';
  document.body.dataset.mode = 'live';
  const slider = document.getElementById('slider');
  slider.value = slider.max;
  redraw();
}
document.getElementById('live-btn').onclick = goLive;
