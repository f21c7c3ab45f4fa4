// The ledger panel: size, latest checkpoint, and whether THIS browser verified it.
// The log's verifier key comes from outside the server when it can: `?logkey=<vkey>` in the
// page's address pins it in this browser (localStorage); a key the server announces is only
// trusted on first use and shown as such. Each new checkpoint's signature is verified here,
// and, when the server's OpenAPI offers a consistency proof, so is the proof from the
// checkpoint this browser saw before (kept across visits) to the new one.
import { b64, parseVerifierKey, verifyCheckpoint, verifyConsistency } from './ledger.js';

const PIN = 'guarantor.logkey';
const seenKey = (vkey) => `guarantor.checkpoint.${vkey}`;

export function startLedger(root) {
  const panel = {
    summary: root.querySelector('#ledger-summary'),
    verdict: root.querySelector('#ledger-verified'),
    consistency: root.querySelector('#ledger-consistency'),
  };
  const result = { verified: false, consistent: null, size: 0 };
  window.guarantorLedger = result; // the browser test reads what this browser checked
  let vkeyText = null;
  let source = '';
  let vkey = null;
  let consistencyPath = undefined; // undefined: not looked up yet; null: not offered
  let busy = Promise.resolve();

  const fromUrl = new URLSearchParams(location.search).get('logkey');
  if (fromUrl) { localStorage.setItem(PIN, fromUrl); vkeyText = fromUrl; source = 'given in the address, pinned'; }
  else if (localStorage.getItem(PIN)) { vkeyText = localStorage.getItem(PIN); source = 'pinned in this browser'; }

  function say(el, text, cls) { el.textContent = text; el.className = cls || ''; }

  async function offeredConsistency() {
    if (consistencyPath !== undefined) return consistencyPath;
    consistencyPath = null;
    try {
      const doc = await (await fetch('/openapi.json')).json();
      const path = Object.keys(doc.paths || {}).find((p) => p.includes('consistency'));
      if (path) {
        const params = (doc.paths[path].get?.parameters || []).map((p) => p.name);
        consistencyPath = { path, params };
      }
    } catch { /* no OpenAPI: no proof offered */ }
    return consistencyPath;
  }

  async function proveConsistency(from, to) {
    const offer = await offeredConsistency();
    if (!offer) return { offered: false };
    // Parameter names as the server documents them: the old size first, then the new.
    const [oldName, newName] = [
      offer.params.find((n) => /from|old|first/.test(n)) || offer.params[0],
      offer.params.find((n) => /^(new|size|to|second)/.test(n)) || offer.params[1],
    ];
    const r = await fetch(`${offer.path}?${oldName}=${from.size}&${newName}=${to.size}`);
    if (!r.ok) return { offered: true, ok: false, why: `server answered ${r.status}` };
    const body = await r.json();
    const proof = (body.proof || []).map(b64);
    const ok = await verifyConsistency(from.size, to.size, from.root, to.root, proof);
    return { offered: true, ok, why: ok ? '' : 'the proof does not hold' };
  }

  async function check(status) {
    if (status) {
      result.size = status.size;
      say(panel.summary, `${status.size} entries · checkpoint at ${status.checkpoint_size} · log key ${status.key}`);
      if (!vkeyText && status.verifier_key) { vkeyText = status.verifier_key; source = 'announced by the server, trusted on first use'; }
      if (status.checkpoint_size === 0) { say(panel.verdict, 'no checkpoint published yet'); return; }
      if (status.checkpoint_size === result.checkpointSize) return;
    }
    if (!vkeyText) { say(panel.verdict, 'not verified: no log key (open the page with ?logkey=<verifier key>)', 'refused'); return; }
    try {
      vkey = vkey || await parseVerifierKey(vkeyText);
      const r = await fetch('/ledger/checkpoint');
      if (r.status === 404) { say(panel.verdict, 'no checkpoint published yet'); return; }
      if (!r.ok) throw new Error(`checkpoint: server answered ${r.status}`);
      const cp = await verifyCheckpoint(await r.text(), vkey);
      result.verified = true;
      result.checkpointSize = cp.size;
      result.root = cp.rootB64;
      say(panel.verdict, `✓ checkpoint ${cp.size} (root ${cp.rootB64.slice(0, 12)}…) verified in this browser: Ed25519 signature by ${vkey.name}, key ${source}`, 'ok');
      panel.verdict.dataset.verified = 'true';
      const stored = localStorage.getItem(seenKey(vkeyText));
      const before = stored ? JSON.parse(stored) : null;
      if (!before) {
        say(panel.consistency, 'first checkpoint this browser has seen of this log');
      } else if (before.size > cp.size) {
        result.consistent = false;
        say(panel.consistency, `✗ the log shrank: this browser saw ${before.size} entries, now ${cp.size}`, 'refused');
        return; // keep the larger one: that is what the log must still extend
      } else if (before.size === cp.size) {
        result.consistent = before.root === cp.rootB64;
        if (!result.consistent) say(panel.consistency, `✗ same size ${cp.size}, different root than seen before`, 'refused');
      } else {
        const p = await proveConsistency({ size: before.size, root: b64(before.root) }, { size: cp.size, root: cp.root });
        if (!p.offered) {
          say(panel.consistency, `the server offers no consistency proof (from ${before.size} to ${cp.size}): not checked`);
        } else if (p.ok) {
          result.consistent = true;
          result.consistentFrom = before.size;
          say(panel.consistency, `✓ consistent with checkpoint ${before.size} seen before (RFC 9162 proof checked here)`, 'ok');
          panel.consistency.dataset.consistent = 'true';
        } else {
          result.consistent = false;
          say(panel.consistency, `✗ not consistent with checkpoint ${before.size} seen before: ${p.why}`, 'refused');
          return;
        }
      }
      localStorage.setItem(seenKey(vkeyText), JSON.stringify({ size: cp.size, root: cp.rootB64 }));
    } catch (e) {
      result.verified = false;
      delete panel.verdict.dataset.verified;
      say(panel.verdict, `✗ NOT verified: ${e.message}`, 'refused');
    }
  }

  // Checks run one after another, so two quick ledger events never race on the stored one.
  const queue = (status) => { busy = busy.then(() => check(status)); return busy; };
  window.addEventListener('guarantor-ledger', (e) => queue(e.detail));
  fetch('/api/v1/status').then((r) => r.json()).then((s) => {
    if (s.ledger) queue(s.ledger);
    else say(panel.summary, 'this server keeps no ledger');
  });
}
