// What every end-to-end test script does: a work directory (kept when a
// check fails), child processes stopped on exit, checks that print "ok:" or
// stop the test with the logs, free ports, running oidfed and waiting.
// Environment: OIDFED_CLI (the built oidfed; meson sets it).
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const cli = process.env.OIDFED_CLI;
if (!cli) {
  console.error('OIDFED_CLI is not set (meson sets it)');
  process.exit(2);
}
export const work = fs.mkdtempSync(path.join(os.tmpdir(), 'oidfed-e2e-'));
const children = [];
let failed = false;

process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  if (!failed) fs.rmSync(work, { recursive: true, force: true });
  else console.error(`work directory kept: ${work}`);
});

// "ok: what", or the failure with its detail and the tail of every log of
// the work directory, and exit 1.
export function check(condition, what, detail) {
  if (condition) {
    console.log(`ok: ${what}`);
    return;
  }
  failed = true;
  console.error(`FAILED: ${what}`);
  if (detail !== undefined) console.error(typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2));
  for (const log of fs.readdirSync(work).filter((name) => name.endsWith('.log'))) {
    console.error(`--- ${log}\n${fs.readFileSync(path.join(work, log), 'utf8').slice(-6000)}`);
  }
  process.exit(1);
}

// A port nothing listens on, below the ephemeral range (where other tests'
// client connections would make the bind fail now and then).
export async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + crypto.randomInt(12000);
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port');
}

// Runs a program in the work directory: {code, stdout, stderr, ms}.
export function run(file, args, options = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    execFile(file, args, { cwd: work, maxBuffer: 16 << 20, ...options }, (error, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms });
    });
  });
}

export const oidfed = (...args) => run(cli, args);

// A result's stdout as JSON, or undefined.
export function json(result) {
  try {
    return JSON.parse(result.stdout);
  } catch {
    return undefined;
  }
}

export async function waitFor(what, probe, seconds = 15) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) check(false, `${what} within ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// A child process whose output goes to NAME.log in the work directory.
export function start(name, file, args) {
  const log = fs.openSync(path.join(work, `${name}.log`), 'w');
  const child = spawn(file, args, { cwd: work, stdio: ['ignore', log, log] });
  children.push(child);
  return child;
}

// oidc-provider (oidc_provider.mjs) on a free port, once listening: its
// {port, base, issuer} and its discovery document.
export async function startOidcProvider(args) {
  const readyFile = path.join(work, 'oidc-provider.json');
  start('oidc-provider', process.execPath, [
    path.join(path.dirname(new URL(import.meta.url).pathname), 'oidc_provider.mjs'), ...args, '--ready-file', readyFile,
  ]);
  await waitFor('oidc-provider listening', () => fs.existsSync(readyFile) && fs.readFileSync(readyFile, 'utf8').endsWith('\n'));
  const provider = JSON.parse(fs.readFileSync(readyFile, 'utf8'));
  const discovery = await (await fetch(`${provider.base}/.well-known/openid-configuration`)).json();
  return { provider, discovery };
}

// The test switches of a loopback federation.
export const switches = ['--allow-http', '--allow-loopback'];

// The trust anchor entity of oidfed.json that serveFederation() expects
// (keys in keys/ta, subordinates in subordinates/ta, its own resolver), with
// `extra` members.
export function anchorEntity(id, extra = {}) {
  return {
    entity_id: id,
    keys_dir: 'keys/ta',
    ...extra,
    metadata: { federation_entity: { organization_name: 'E2E Trust Anchor' } },
    subordinates_dir: 'subordinates/ta',
    resolver: { trust_anchors: [{ entity_id: id }] },
  };
}

// `oidfed serve` on the work directory's oidfed.json (whose anchor keeps its
// subordinates in subordinates/ta and its keys in keys/ta), once healthy at
// `base`; the anchor then enrols `subordinates` (`oidfed subordinate add`,
// SIGHUP) and is pinned in ta.json. Returns the serve child.
export async function serveFederation(base, anchor, subordinates) {
  fs.mkdirSync(path.join(work, 'subordinates/ta'), { recursive: true });
  const serve = start('serve', cli, ['serve', '--config', 'oidfed.json']);
  await waitFor('oidfed serve ready', async () => (await fetch(`${base}/healthz`)).ok);
  for (const entity of subordinates) {
    const added = await oidfed('--format', 'json', 'subordinate', 'add', entity, '--dir', 'subordinates/ta', ...switches);
    check(added.code === 0, `the anchor registers ${entity} as its subordinate`, added);
  }
  serve.kill('SIGHUP');
  await waitFor('the anchor lists its subordinates', async () => {
    const list = await (await fetch(`${anchor}/list`)).json();
    return subordinates.every((entity) => list.includes(entity));
  });
  fs.writeFileSync(path.join(work, 'ta.json'),
    (await oidfed('keys', 'pin', '--dir', 'keys/ta', '--entity-id', anchor, '--allow-http')).stdout);
  return serve;
}
