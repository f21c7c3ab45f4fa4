// The common operational picture: a MapLibre map with no tile server (borders, zones and
// infrastructure come from the binary itself), live tracks with MIL-STD-2525 symbols from
// milsymbol and trails coloured by altitude band, incidents with their evidence, activations
// with deadline clocks, the obligations board with the signed-in party's acts, ledger status
// and a time slider over the record. Every request goes to the page's own origin.
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// maplibre-gl 6 looks for its worker beside its own module (`import.meta.url`), which in a
// bundle is our `assets/index-*.js`, where no worker file is: every GeoJSON source then
// fails in silence and the map draws only its background. Vite copies the (self-contained)
// worker into the bundle with `?url` and we point maplibre at it.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import ms from 'milsymbol';
import './style.css';

const BAND_COLOURS = { surface: '#1f78b4', low: '#e31a1c', medium: '#ff7f00', high: '#6a3d9a' };
const TRAIL_POINTS = 24;

const state = {
  tracks: new Map(), trails: new Map(), eventTime: null, live: true,
  obligations: new Map(), activations: new Map(), incidents: [], firstTime: null,
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

function sidc(t) {
  // 2525C letter codes: hostile unless it transmits its identity (then neutral).
  const aff = t.cooperative ? 'N' : 'H';
  switch (t.class) {
    case 'drone': case 'jet_drone': return `S${aff}APMFQ----`;
    case 'cruise_missile': case 'ballistic_missile': return `S${aff}APW-----`;
    case 'manned_aircraft': return `S${aff}APM-----`;
    case 'helicopter': return `S${aff}APMH----`;
    case 'vessel': return `S${aff}SP------`;
    default: return `SUAP------`;
  }
}

function addSymbol(code) {
  if (map.hasImage(code)) return;
  const canvas = new ms.Symbol(code, { size: 18 }).asCanvas();
  const ctx = canvas.getContext('2d');
  map.addImage(code, ctx.getImageData(0, 0, canvas.width, canvas.height));
}

async function json(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

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
  map.addSource('trails', { type: 'geojson', data: empty() });
  map.addLayer({ id: 'trails', type: 'line', source: 'trails', paint: { 'line-color': ['get', 'colour'], 'line-width': 2, 'line-opacity': 0.7 } });
  map.addSource('tracks', { type: 'geojson', data: empty() });
  map.addLayer({ id: 'track-dots', type: 'circle', source: 'tracks', paint: { 'circle-color': ['get', 'colour'], 'circle-radius': 3 } });
  map.addLayer({ id: 'track-symbols', type: 'symbol', source: 'tracks', layout: { 'icon-image': ['get', 'sidc'], 'icon-allow-overlap': true } });
  map.addSource('incidents', { type: 'geojson', data: empty() });
  map.addLayer({ id: 'incidents', type: 'circle', source: 'incidents', paint: { 'circle-color': '#000', 'circle-radius': 6, 'circle-stroke-color': '#ff0', 'circle-stroke-width': 2 } });
  map.on('click', 'incidents', (e) => showIncident(e.features[0].properties.id));
  await refresh();
  connect();
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
  renderLedger(status.ledger);
  drawTracks(); drawIncidents(); renderActivations(); renderObligations();
}

function connect() {
  const source = new EventSource('/api/v1/live');
  source.addEventListener('tracks', (e) => {
    const d = JSON.parse(e.data);
    setTime(d.at);
    state.tracks = new Map(d.tracks.map((t) => [t.id, t]));
    for (const id of d.removed) state.trails.delete(id);
    for (const t of d.tracks) {
      const trail = state.trails.get(t.id) || [];
      trail.push([t.lon_deg, t.lat_deg]);
      if (trail.length > TRAIL_POINTS) trail.shift();
      state.trails.set(t.id, trail);
    }
    if (state.live) drawTracks();
  });
  source.addEventListener('incident', (e) => { state.incidents.push(JSON.parse(e.data)); drawIncidents(); });
  source.addEventListener('activation', (e) => { const a = JSON.parse(e.data); state.activations.set(a.id, a); renderActivations(); });
  source.addEventListener('obligation', (e) => { const o = JSON.parse(e.data); state.obligations.set(o.id, o); renderObligations(); });
  source.addEventListener('ledger', (e) => renderLedger(JSON.parse(e.data)));
  source.addEventListener('lagged', () => refresh());
}

function setTime(at) {
  state.eventTime = new Date(at);
  if (!state.firstTime) state.firstTime = state.eventTime;
  document.getElementById('clock').textContent = at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const slider = document.getElementById('slider');
  slider.max = String(Math.round((state.eventTime - state.firstTime) / 1000));
  if (state.live) slider.value = slider.max;
}

function drawTracks(points) {
  const list = points || [...state.tracks.values()];
  const features = list.map((t) => {
    const full = state.tracks.get(t.id) || t;
    const code = sidc(full);
    addSymbol(code);
    const band = full.band || 'low';
    return { type: 'Feature', geometry: { type: 'Point', coordinates: [t.lon_deg, t.lat_deg] },
      properties: { id: t.id, sidc: code, colour: BAND_COLOURS[band] || '#555' } };
  });
  map.getSource('tracks')?.setData({ type: 'FeatureCollection', features });
  const trails = points ? [] : [...state.trails.entries()].filter(([, c]) => c.length > 1).map(([id, coords]) => ({
    type: 'Feature', geometry: { type: 'LineString', coordinates: coords },
    properties: { colour: BAND_COLOURS[state.tracks.get(id)?.band] || '#555' } }));
  map.getSource('trails')?.setData({ type: 'FeatureCollection', features: trails });
  document.getElementById('map').dataset.tracks = String(features.length);
}

function drawIncidents() {
  const features = state.incidents.filter((i) => i.lat_deg != null).map((i) => ({
    type: 'Feature', geometry: { type: 'Point', coordinates: [i.lon_deg, i.lat_deg] }, properties: { id: i.id } }));
  map.getSource('incidents')?.setData({ type: 'FeatureCollection', features });
  const ul = document.getElementById('incidents');
  ul.replaceChildren(...state.incidents.slice(-12).reverse().map((i) => {
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
  if (!state.eventTime) return '';
  const s = Math.round((new Date(deadline) - state.eventTime) / 1000);
  const sign = s < 0 ? '−' : '';
  const a = Math.abs(s);
  return `${sign}${Math.floor(a / 3600)}h${String(Math.floor(a / 60) % 60).padStart(2, '0')}m${String(a % 60).padStart(2, '0')}s`;
}

function renderActivations() {
  const ul = document.getElementById('activations');
  ul.replaceChildren(...[...state.activations.values()].map((a) => {
    const li = document.createElement('li');
    li.className = 'activation';
    li.innerHTML = `<b>${a.id}</b> rung ${a.rung} <span class="clock" data-deadline="${a.deadline}"></span>`;
    return li;
  }));
  tickClocks();
}

function renderObligations() {
  const party = document.getElementById('party').value;
  const ul = document.getElementById('obligations');
  ul.replaceChildren(...[...state.obligations.values()].map((o) => {
    const li = document.createElement('li');
    li.className = `obligation ${o.state}`;
    li.dataset.id = o.id;
    li.dataset.party = o.party;
    const assets = o.assets.map((x) => `${x.quantity}×${x.asset}`).join(' ');
    li.innerHTML = `<b>${o.party}</b> ${o.action} ${assets} <i>${o.state}</i> <span class="clock" data-deadline="${o.deadline}"></span> `;
    for (const act of ['acknowledge', 'discharge']) {
      const b = document.createElement('button');
      b.textContent = act;
      b.className = act;
      b.disabled = !party; // anyone signed in may try; the server's policy decides
      b.onclick = () => actOn(o.id, act);
      li.append(b, ' ');
    }
    return li;
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

function renderLedger(l) {
  if (!l) return;
  document.getElementById('ledger').textContent = `${l.size} entries, checkpoint at ${l.checkpoint_size}, key ${l.key}`;
}

function tickClocks() {
  for (const el of document.querySelectorAll('.clock')) el.textContent = clock(el.dataset.deadline);
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

document.getElementById('slider').oninput = async (e) => {
  if (!state.firstTime) return;
  state.live = false;
  const at = new Date(state.firstTime.getTime() + Number(e.target.value) * 1000).toISOString();
  document.getElementById('slider-label').textContent = at;
  drawTracks(await json(`/api/v1/tracks/at?at=${at}`));
};
document.getElementById('live-btn').onclick = () => {
  state.live = true;
  document.getElementById('slider-label').textContent = 'live';
  drawTracks();
};
