// The ledger checked by this browser, not taken on the server's word: the checkpoint's
// Ed25519 signed-note signature (C2SP signed-note, tlog-checkpoint) verified with WebCrypto
// against the log's verifier key, and the RFC 9162 consistency proof from the checkpoint this
// browser saw before (kept in localStorage) to the new one, hashed with WebCrypto's SHA-256.
// Hand-written (about 150 lines) because WebCrypto does the cryptography: no npm library
// is needed for Ed25519 or SHA-256 in a current Chromium, Firefox or Safari.

const enc = new TextEncoder();

export function b64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `<name>+<hash hex>+<base64(0x01 ‖ public key)>` → its parts; throws naming what is wrong. */
export async function parseVerifierKey(vkey) {
  // The base64 may hold '+' itself, and a '+' typed in an address may arrive as a space.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim().replace(/ /g, '+'));
  if (!m) throw new Error('verifier key: expected <name>+<8 hex digits>+<base64 key>');
  const [, name, hashHex, material64] = m;
  const material = b64(material64);
  if (material.length !== 33 || material[0] !== 0x01) throw new Error('verifier key: expected an Ed25519 key (type 0x01, 32 bytes)');
  const id = (await sha256(concat(enc.encode(`${name}\n`), material))).slice(0, 4);
  const hex = [...id].map((x) => x.toString(16).padStart(2, '0')).join('');
  if (hex !== hashHex) throw new Error(`verifier key: hash ${hashHex} does not match the key (${hex})`);
  const key = await crypto.subtle.importKey('raw', material.slice(1), { name: 'Ed25519' }, false, ['verify']);
  return { name, id, key };
}

/** Splits a signed note and checks it is a checkpoint signed by `vkey`; returns the checkpoint. */
export async function verifyCheckpoint(noteText, vkey) {
  const cut = noteText.indexOf('\n\n');
  if (cut < 0) throw new Error('checkpoint: no blank line between text and signatures');
  const text = noteText.slice(0, cut + 1);
  const sigLines = noteText.slice(cut + 2).split('\n').filter((l) => l.length);
  const [origin, sizeLine, rootLine] = text.split('\n');
  if (!/^\d+$/.test(sizeLine || '')) throw new Error(`checkpoint: line 2 should be the tree size, got "${sizeLine}"`);
  const root = b64(rootLine || '');
  if (root.length !== 32) throw new Error('checkpoint: line 3 should be a base64 SHA-256 root');
  if (origin !== vkey.name) throw new Error(`checkpoint: origin "${origin}" is not the log "${vkey.name}"`);
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error(`checkpoint: bad signature line "${line}"`);
    if (m[1] !== vkey.name) continue; // a witness's cosignature: not checked here
    const raw = b64(m[2]);
    if (!equal(raw.slice(0, 4), vkey.id)) continue;
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, vkey.key, raw.slice(4), enc.encode(text));
    if (!ok) throw new Error('checkpoint: the log signature does not verify');
    return { origin, size: Number(sizeLine), root, rootB64: rootLine, cosignatures: sigLines.length - 1 };
  }
  throw new Error(`checkpoint: no signature by ${vkey.name}`);
}

const node = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

/** RFC 9162 §2.1.4.2: is `second` an append-only extension of `first`? */
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0; // every tree extends the empty one
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn & 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if ((fn & 1) || fn === sn) {
      fr = await node(c, fr);
      sr = await node(c, sr);
      if (!(fn & 1)) while (!(fn & 1) && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = await node(sr, c);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}
