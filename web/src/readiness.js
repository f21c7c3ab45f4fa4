// Readiness plots with uPlot: days of supply per item over the pact's days, and the
// clauses backed and unbacked per rung, from the server's readiness endpoint (found in its
// OpenAPI document, so a server without one leaves the panel saying so, not failing).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const PALETTE = ['#1f78b4', '#e31a1c', '#33a02c', '#ff7f00', '#6a3d9a', '#b15928', '#a6cee3', '#fb9a99'];

const PATH = '/api/v1/readiness';

async function offered() {
  const doc = await (await fetch('/openapi.json')).json();
  return Boolean(doc.paths && doc.paths[PATH]);
}

export async function startReadiness(root) {
  const status = root.querySelector('#readiness-status');
  const result = { plots: 0 };
  window.guarantorReadiness = result;
  try {
    if (!(await offered())) { status.textContent = 'the server offers no readiness endpoint'; return; }
  } catch (e) { status.textContent = `no readiness: ${e.message}`; return; }
  const draw = async () => {
    const r = await fetch(PATH);
    const body = await r.json();
    if (!r.ok) { status.textContent = `no readiness: ${body.error?.message || r.status}`; return; }
    plot(root, body, result);
  };
  await draw();
  // A party recorded a delivery: readiness was reassessed.
  window.addEventListener('guarantor-delivery', draw);
}

function plot(root, report, result) {
  result.report = report;
  result.plots = 0;
  for (const old of [result.supply, result.backing]) old?.destroy();
  const width = Math.max(280, (root.clientWidth || 360) - 8);
  const supply = supplySeries(report);
  if (supply) {
    result.supply = new uPlot({
      title: `Stock and days of supply (as of day ${report.at_day}, ${report.tempo})`, width, height: 200,
      scales: { x: { time: true } },
      series: [{}, ...supply.names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length], width: 1.5 }))],
      axes: [{}, { label: 'rounds' }],
    }, [supply.x, ...supply.ys], root.querySelector('#supply-plot'));
    result.plots++;
  }
  const backing = backingSeries(report);
  if (backing) {
    const left = uPlot.paths.bars({ size: [0.35, 30], align: -1 });
    const right = uPlot.paths.bars({ size: [0.35, 30], align: 1 });
    result.backing = new uPlot({
      title: 'Clauses backed and unbacked by rung', width, height: 170,
      scales: { x: { time: false, range: [-0.6, backing.labels.length - 0.4] }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
      series: [{ label: 'rung', value: (u, v) => backing.labels[v] ?? '' },
        { label: 'backed', fill: '#33a02cbb', stroke: '#33a02c', paths: left, points: { show: false } },
        { label: 'unbacked', fill: '#e31a1cbb', stroke: '#e31a1c', paths: right, points: { show: false } }],
      axes: [{ splits: () => backing.labels.map((_, i) => i), values: (u, ticks) => ticks.map((t) => backing.labels[t] ?? '') },
        { label: 'clauses' }],
    }, [backing.labels.map((_, i) => i), backing.backed, backing.unbacked], root.querySelector('#backing-plot'));
    result.plots++;
  }
  root.querySelector('#readiness-status').textContent =
    `${report.clauses_backed} clauses backed · ${report.clauses_unbacked} unbacked · ${report.clauses_uncounted} magazine uncounted · ` +
    `${report.clauses_not_in_force} not in force · ${report.deliveries} deliveries counted` +
    (supply ? ` · days of supply: ${supply.dry.join(', ')}` : '');
  root.dataset.plots = String(result.plots);
}

// Stock per depot line, day by day from the pact's day 0, labelled with its days of supply.
function supplySeries(r) {
  const lines = (r.stock || []).filter((s) => s.days && s.days.length);
  if (!lines.length) return null;
  const start = Date.parse(r.effective) / 1000;
  const n = Math.max(...lines.map((l) => l.days.length));
  const dry = new Map((r.supply || []).map((s) => [`${s.depot}/${s.item}`, s.dry_in_days]));
  const label = (l) => {
    const d = dry.get(`${l.depot}/${l.item}`);
    return `${l.depot} · ${l.item} (${d == null ? 'beyond horizon' : `${d} d`})`;
  };
  return {
    x: Array.from({ length: n }, (_, i) => start + (i + 1) * 86400),
    names: lines.map(label),
    ys: lines.map((l) => Array.from({ length: n }, (_, i) => l.days[i] ?? null)),
    dry: (r.supply || []).map((s) => `${s.item}@${s.depot} ${s.dry_in_days == null ? '∞' : `${s.dry_in_days} d`}`),
  };
}

// Clauses backed and unbacked per rung of each response.
function backingSeries(r) {
  const rungs = r.rungs || [];
  if (!rungs.length) return null;
  return {
    labels: rungs.map((g) => `${g.response} ${g.rung}`),
    backed: rungs.map((g) => g.clauses.filter((c) => c.state === 'backed').length),
    unbacked: rungs.map((g) => g.clauses.filter((c) => c.state === 'unbacked').length),
  };
}
