// The page in a real headless Chromium (Debian's, never a downloaded one), driven by
// playwright-core: it loads with no request leaving the server's origin, tracks appear and
// move, the owner of an obligation acknowledges it and another party is refused.
// Usage: node e2e/picture.mjs http://127.0.0.1:PORT/ SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [url, shots = 'e2e/screenshots'] = process.argv.slice(2);
const origin = new URL(url).origin;
mkdirSync(shots, { recursive: true });
const fail = (msg) => { console.error(`FAIL: ${msg}`); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) outside.push(r.url()); });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.waitForFunction(() => Number(document.getElementById('map').dataset.tracks) > 0, null, { timeout: 20000 });
  const first = await page.evaluate(() => [...window.guarantor.tracks.values()].map((t) => [t.id, t.lon_deg]));
  await page.waitForTimeout(1500);
  const later = await page.evaluate(() => [...window.guarantor.tracks.values()].map((t) => [t.id, t.lon_deg]));
  const moved = later.some(([id, lon]) => first.some(([i, l]) => i === id && l !== lon));
  if (!moved) fail(`tracks did not move: ${JSON.stringify(first)} then ${JSON.stringify(later)}`);
  await page.screenshot({ path: `${shots}/picture.png` });

  // Another party (UA) tries Poland's obligation: refused by the policy.
  await page.waitForSelector('li.obligation[data-party="PL"]', { timeout: 20000 });
  await page.selectOption('#party', 'UA');
  await page.fill('#token', process.env.UA_TOKEN || 'ua-token-0123456789');
  await page.click('li.obligation[data-party="PL"] button.acknowledge');
  await page.waitForSelector('#act-result.refused', { timeout: 10000 });
  const refused = await page.textContent('#act-result');
  if (!refused.startsWith('403')) fail(`UA was not refused with 403: ${refused}`);
  // Poland acknowledges its own.
  await page.selectOption('#party', 'PL');
  await page.fill('#token', process.env.PL_TOKEN || 'pl-token-0123456789');
  await page.click('li.obligation[data-party="PL"] button.acknowledge');
  await page.waitForSelector('#act-result.ok', { timeout: 10000 });
  const state = await page.textContent('li.obligation[data-party="PL"] i');
  if (state !== 'acknowledged') fail(`PL's obligation is ${state}, not acknowledged`);
  await page.screenshot({ path: `${shots}/acknowledged.png` });
  if (outside.length) fail(`requests left the origin: ${outside.join(' ')}`);
  console.log(`ok: moved=${moved} refused="${refused}" state=${state} outside=${outside.length}`);
} finally {
  await browser.close();
}
