// The web console (issue 19 items 3 and 5) in a real headless Chromium
// (Debian's chromium, driven by puppeteer-core), against a real `oidfed
// serve` on a copy of the demo federation with the admin API configured and
// three deliberate faults: the RP's organization_name and client_name carry
// HTML and script, and the intermediate's statement about the RP has a
// policy the RP's metadata violates (logo_uri essential). Checks: every
// page loads without console errors, failed requests or CSP violations; the
// demo's entities are shown (graph and tables); the explain view of the RP
// names the failing rule; the hostile metadata is shown as text and no
// script of it runs; keyboard focus starts at the navigation; a block made
// through the page, keyboard only, with a typed operator token changes the
// subordinate file and the served statement (404), and a key rotation made
// there is published in the anchor's Entity Configuration. Screenshots go to the
// directory given as the first argument (the build directory; not
// committed).
// Environment: OIDFED_CLI, OIDFED_SOURCE_DIR (meson sets both);
// OIDFED_CHROMIUM overrides /usr/bin/chromium.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import puppeteer from 'puppeteer-core';

import { check, cli, freePort, start, waitFor, work } from './harness.mjs';

const chromium = process.env.OIDFED_CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  const message = `e2e: ${chromium} is missing (Debian package chromium, scripts/install-deps)`;
  if (process.env.CI === 'true') {
    console.error(`${message}: failing, as in CI the e2e suite must run`);
    process.exit(1);
  }
  console.error(`${message}: skipped`);
  process.exit(77);
}
const shots = process.argv[2] || path.join(work, 'screenshots');
fs.mkdirSync(shots, { recursive: true });

// ---- The federation: the demo, copied, with the faults and the admin API --
const port = await freePort();
const adminPort = await freePort();
const base = `http://127.0.0.1:${port}`;
const demo = path.join(process.env.OIDFED_SOURCE_DIR, 'trust-anchors', 'demo');
for (const entry of fs.readdirSync(demo, { recursive: true, withFileTypes: true })) {
  const from = path.join(entry.parentPath ?? entry.path, entry.name);
  const relative = path.relative(demo, from);
  if (relative.startsWith('keys') || relative.startsWith('clients') || !entry.isFile()) continue;
  fs.mkdirSync(path.dirname(path.join(work, relative)), { recursive: true });
  fs.writeFileSync(path.join(work, relative), fs.readFileSync(from, 'utf8').replaceAll('127.0.0.1:8777', `127.0.0.1:${port}`));
}
const token = crypto.randomBytes(24).toString('base64url');
const config = JSON.parse(fs.readFileSync(path.join(work, 'oidfed.json'), 'utf8'));
config.admin = {
  listen: `127.0.0.1:${adminPort}`,
  audit_log: 'admin-audit.log',
  operators: [{ name: 'browser', token_sha256: crypto.createHash('sha256').update(token).digest('hex'), role: 'write' }],
};
const hostile = {
  name: '<img src=x onerror="window.__oidfedPwned=1">Evil Portal',
  client: '<script>window.__oidfedPwned=2</script>Portal',
};
const rp = config.entities.find((entity) => entity.entity_id === `${base}/rp`);
rp.metadata.federation_entity.organization_name = hostile.name;
rp.metadata.openid_relying_party.client_name = hostile.client;
fs.writeFileSync(path.join(work, 'oidfed.json'), JSON.stringify(config, null, 2));
const rpFile = path.join(work, 'subordinates/ia/rp.json');
const rpSubordinate = JSON.parse(fs.readFileSync(rpFile, 'utf8'));
rpSubordinate.metadata_policy.openid_relying_party.logo_uri = { essential: true };
fs.writeFileSync(rpFile, JSON.stringify(rpSubordinate, null, 2));

start('serve', cli, ['serve', '--config', 'oidfed.json']);
await waitFor('oidfed serve ready', async () => (await fetch(`${base}/healthz`)).ok, 30);

// ---- The browser -----------------------------------------------------------
const started = Date.now();
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
process.on('exit', () => browser.process()?.kill('SIGKILL'));
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 900 });
const problems = [];
page.on('console', (entry) => {
  if (entry.type() === 'error' || entry.type() === 'warn') problems.push(`console ${entry.type()}: ${entry.text()}`);
});
page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
page.on('response', (response) => {
  if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
});
page.on('dialog', (dialog) => {
  problems.push(`dialog: ${dialog.message()}`);
  dialog.dismiss();
});
// Runs before any script of the page, outside its CSP: records violations
// and any attempt of injected markup to run.
await page.evaluateOnNewDocument(() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
});

async function visit(hash, ready, shot) {
  await page.goto(`${base}/ui/${hash}`, { waitUntil: 'networkidle0' });
  await page.waitForSelector(ready, { timeout: 15000 });
  await page.waitForFunction(() => document.getElementById('main').getAttribute('aria-busy') === 'false');
  await page.screenshot({ path: path.join(shots, `${shot}.png`), fullPage: true });
  return page.$eval('main', (main) => main.innerText);
}

async function noScriptRan(where) {
  const state = await page.evaluate(() => ({
    pwned: window.__oidfedPwned,
    violations: window.__cspViolations,
    images: document.querySelectorAll('img').length,
    scripts: [...document.scripts].map((script) => script.src),
  }));
  check(state.pwned === undefined && state.images === 0 && state.violations.length === 0 &&
    state.scripts.length === 1 && state.scripts[0] === `${base}/ui/console.js`,
  `${where}: the hostile metadata ran no script and made no element (no CSP violation either)`, state);
}

// Federation: the graph of the walk, every demo entity drawn and listed.
const federation = await visit('#/federation', 'svg.graph', 'federation');
const nodes = await page.$$eval('svg.graph a.node title', (titles) => titles.map((title) => title.textContent));
for (const name of ['ta', 'ia', 'op', 'rp', 'ci'])
  check(nodes.some((title) => title.startsWith(`${base}/${name}:`)), `federation view: ${name} drawn in the graph`, nodes);
check(nodes.some((title) => title.startsWith(`${base}/rp: invalid`)), 'federation view: the broken RP drawn as invalid', nodes);
check(federation.includes('Demo Federation Trust Anchor') && federation.includes(hostile.name),
  'federation view: the hosted entities listed, the hostile organization name as plain text');
await noScriptRan('federation view');

// Keyboard: the first Tab reaches the navigation.
await page.keyboard.press('Tab');
const focused = await page.evaluate(() => document.activeElement.textContent);
check(focused === 'Federation', 'keyboard: the first Tab focuses the first navigation link', focused);

// The RP's page: its decoded configuration with the hostile values as text.
await visit(`#/entity?id=${encodeURIComponent(`${base}/rp`)}`, 'details pre.json', 'entity-rp');
const payload = await page.$$eval('pre.json', (blocks) => blocks.map((block) => block.textContent).join('\n'));
check(payload.includes(JSON.stringify(hostile.client).slice(1, -1)), 'entity page: client_name shown as text, <script> and all', payload.slice(0, 400));
const organization = await page.$eval('p.organization strong', (node) => node.textContent);
check(organization === hostile.name, 'entity page: the organization name shown as text', organization);
await noScriptRan('entity page');

// Explain: the broken chain names the rule that failed.
const explained = await visit(`#/explain?sub=${encodeURIComponent(`${base}/rp`)}`, '#verdict', 'explain-rp');
check(explained.includes('invalid') && explained.includes('6.1.4.2') && explained.includes('logo_uri'),
  'explain view: the RP\'s chain is invalid, naming rule 6.1.4.2 and the parameter', explained.slice(0, 600));
const valid = await visit(`#/explain?sub=${encodeURIComponent(`${base}/op`)}`, '#verdict', 'explain-op');
check(valid.includes('valid under') && valid.includes('Where each metadata value came from'),
  'explain view: the OP resolves, with where each metadata value came from', valid.slice(0, 400));

// Expiry and health.
const expiry = await visit('#/expiry', 'table', 'expiry');
check(expiry.includes('subordinate statement') && expiry.includes('entity configuration'),
  'expiry view: statements by time left', expiry.slice(0, 300));
const health = await visit('#/health', 'table[aria-label], table', 'health');
check(health.includes('Findings of the crawler') && health.includes('policy_error') && health.includes(`${base}/rp`),
  'health view: the crawler\'s finding about the broken RP', health.slice(0, 800));

// A change through the page: the operator types its token and blocks the
// credential issuer under the intermediate, keyboard only.
await visit(`#/entity?id=${encodeURIComponent(`${base}/ia`)}`, 'table', 'entity-ia');
// With the keyboard only: type, then Enter submits each form.
await page.type('#token', token);
await page.keyboard.press('Enter');
await page.waitForFunction(() => document.getElementById('token-state').textContent.includes('token set'));
await page.waitForSelector('#reason-ci\\.json');
await page.type('#reason-ci\\.json', 'browser test: key compromise drill');
await page.keyboard.press('Enter');
await page.waitForSelector('#action-status .message-ok', { timeout: 15000 });
await page.screenshot({ path: path.join(shots, 'entity-ia-blocked.png'), fullPage: true });
const ciFile = JSON.parse(fs.readFileSync(path.join(work, 'subordinates/ia/ci.json'), 'utf8'));
check(ciFile.blocked?.reason === 'browser test: key compromise drill', 'a block through the page is written to ci.json', ciFile);
const fetched = await fetch(`${base}/ia/fetch?sub=${encodeURIComponent(`${base}/ci`)}`);
check(fetched.status === 404, 'the intermediate no longer serves a statement about the blocked credential issuer', fetched.status);
const audit = fs.readFileSync(path.join(work, 'admin-audit.log'), 'utf8');
check(audit.includes('"operator":"browser"') && !audit.includes(token), 'the audit log names the operator, never its token', audit);

// Key rollover through the page: the anchor announces a next key, which its
// Entity Configuration then publishes beside the active one.
await visit(`#/entity?id=${encodeURIComponent(`${base}/ta`)}`, '#keys-rotate', 'entity-ta');
await page.focus('#keys-rotate');
await page.keyboard.press('Enter');
await page.waitForSelector('#action-status .message-ok', { timeout: 15000 });
await page.waitForSelector('#keys-activate');
await page.screenshot({ path: path.join(shots, 'entity-ta-rotated.png'), fullPage: true });
const states = await page.$$eval('table .badge', (badges) => badges.map((badge) => badge.textContent));
check(states.includes('next') && states.includes('active'), 'the keys table shows the announced next key', states);
const configuration = await (await fetch(`${base}/ta/.well-known/openid-federation`)).text();
const published = JSON.parse(Buffer.from(configuration.split('.')[1], 'base64url')).jwks.keys.length;
check(published === 2, 'the anchor\'s Entity Configuration publishes the next key too', published);

check(problems.length === 0, 'no console error, failed request, error status or dialog on any page', problems);
await browser.close();
console.log(`console browser test: ${((Date.now() - started) / 1000).toFixed(1)} s in Chromium; screenshots in ${shots}`);
process.exit(0);
