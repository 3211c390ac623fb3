// End to end (meson suite e2e): a real, unmodified OpenID Provider
// (oidc-provider) joins a federation through oidfed, and a Relying Party
// registers with it explicitly (spec 12.2) and signs in with openid-client.
//
//  1. oidc-provider runs on a free loopback port with RFC 7591 registration
//     behind an initial access token (tests/e2e/oidc_provider.mjs); its
//     issuer is the OP's Entity Identifier, hosted by oidfed.
//  2. One `oidfed serve` hosts the federation: a trust anchor, the OP's
//     federation identity (its metadata: oidc-provider's discovery document)
//     with explicit registration whose client store is oidc-provider's RFC
//     7591 endpoint (the token from a file) and a registration lifetime of
//     at most 60 s (the shortest max_lifetime_seconds; the anchor's
//     statements last 60 s too and are re-signed past half of it, so a
//     registration, which ends with the RP's chain, lasts 30 to 60 s), and an
//     RP whose openid_relying_party metadata carries its protocol key (jwks)
//     for private_key_jwt. The refresher runs every second.
//  3. `oidfed register` registers the RP; the client_id is the one
//     oidc-provider assigned.
//  4. openid-client runs the authorization code flow with PKCE and
//     private_key_jwt for that client_id (tests/e2e/rp_flow.mjs) and gets
//     tokens whose ID token names the OP's Entity Identifier as issuer.
//  5. The RP registers again with a changed redirect URI: the same client at
//     oidc-provider is updated (RFC 7592), and the new URI works.
//  6. `--renew-within` leaves a registration that is not due alone.
//  7. Past the registration's exp, oidfed deletes the client at oidc-provider
//     (RFC 7592 DELETE; its state file goes): the flow fails with
//     invalid_client.
// Prints the time of each registration (the first with a cold chain cache
// at the OP, the second warm). Environment: OIDFED_CLI (the built oidfed).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  anchorEntity, check, freePort, json, oidfed, run, serveFederation, startOidcProvider, switches, waitFor, work,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// --- 1. oidc-provider --------------------------------------------------------
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const ids = { ta: `${base}/ta`, op: `${base}/op`, rp: `${base}/rp` };
const tokenFile = path.join(work, 'initial-access-token');
fs.writeFileSync(tokenFile, `${crypto.randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
const { discovery } = await startOidcProvider(['--issuer', ids.op, '--initial-access-token-file', tokenFile]);
check(discovery.issuer === ids.op, 'oidc-provider names the OP\'s Entity Identifier as issuer', discovery);

// The OP's federation metadata: its discovery document, without the RFC 7591
// endpoint (federation RPs register through oidfed).
const opMetadata = { ...discovery };
delete opMetadata.registration_endpoint;

// --- 2. the federation -------------------------------------------------------
const keygen = json(await oidfed('keygen', '--alg', 'ES256', '--out', 'rp-protocol-key'));
check(keygen?.kid, 'the RP\'s protocol key (oidfed keygen)', keygen);
const redirect = `${base}/rp/callback`;
const rpClient = {
  client_name: 'E2E Relying Party',
  application_type: 'web',
  redirect_uris: [redirect],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [keygen.public_jwk] },
  client_registration_types: ['explicit'],
};
function writeConfig(client) {
  const config = {
    listen: `127.0.0.1:${port}`,
    allow_http: true,
    refresh_interval_seconds: 1,
    fetch: { allow_loopback: true },
    entities: [
      anchorEntity(ids.ta, { configuration_lifetime_seconds: 60, subordinate_lifetime_seconds: 60 }),
      {
        entity_id: ids.op,
        keys_dir: 'keys/op',
        metadata: { federation_entity: { organization_name: 'oidc-provider' }, openid_provider: opMetadata },
        authority_hints: [ids.ta],
        explicit_registration: {
          trust_anchors: [{ entity_id: ids.ta }],
          max_lifetime_seconds: 60,
          client_store: {
            type: 'rfc7591',
            directory: 'clients/op',
            registration_endpoint: discovery.registration_endpoint,
            initial_access_token_file: tokenFile,
            allow_http: true,
            allow_loopback: true,
          },
        },
      },
      {
        entity_id: ids.rp,
        keys_dir: 'keys/rp',
        configuration_lifetime_seconds: 60,
        metadata: { federation_entity: { organization_name: 'E2E Relying Party' }, openid_relying_party: client },
        authority_hints: [ids.ta],
      },
    ],
  };
  fs.writeFileSync(path.join(work, 'oidfed.json'), `${JSON.stringify(config, null, 2)}\n`);
}
writeConfig(rpClient);
await serveFederation(base, ids.ta, [ids.op, ids.rp]);

const opConfiguration = await (await fetch(`${ids.op}/.well-known/openid-federation`)).text();
const opClaims = JSON.parse(Buffer.from(opConfiguration.split('.')[1], 'base64url'));
check(opClaims.metadata?.openid_provider?.federation_registration_endpoint,
  'the OP\'s Entity Configuration publishes federation_registration_endpoint', opClaims.metadata);
check(opClaims.metadata.openid_provider.client_registration_types_supported?.includes('explicit'),
  'the OP lists explicit in client_registration_types_supported', opClaims.metadata);

// --- 3. explicit registration -------------------------------------------------
const register = (...extra) => oidfed('--format', 'json', 'register', ids.op, '--config', 'oidfed.json',
  '--entity', ids.rp, '--trust-anchor-file', 'ta.json', ...switches, ...extra);
const first = await register();
const registration = json(first);
check(first.code === 0 && registration?.client_id, 'oidfed register registers the RP', first);
check(registration.client_id !== ids.rp, 'the client_id is the one oidc-provider assigned', registration);
check(registration.trust_anchor === ids.ta && registration.authority_hint === ids.ta,
  'the registration names the trust anchor and the RP\'s superior', registration);
const now = Math.floor(Date.now() / 1000);
check(registration.exp > now && registration.exp <= now + 61, 'the registration lasts at most 60 s (max_lifetime_seconds)', registration);
check(fs.existsSync(registration.file), 'the registration is recorded in a file', registration);

// --- 4. the authorization code flow -------------------------------------------
const metadataFile = path.join(work, 'op-metadata.json');
fs.writeFileSync(metadataFile, JSON.stringify(registration.op_metadata.openid_provider));
const flow = (clientId, redirectUri) => run(process.execPath, [
  path.join(here, 'rp_flow.mjs'), `--op-metadata=${metadataFile}`, `--client-id=${clientId}`,
  `--key=${path.resolve(work, keygen.private_key_file)}`, `--kid=${keygen.kid}`, `--redirect-uri=${redirectUri}`,
]);
const signIn = await flow(registration.client_id, redirect);
const tokens = json(signIn);
check(signIn.code === 0 && tokens?.access_token && tokens?.id_token,
  'openid-client gets tokens with private_key_jwt for the registered client_id', signIn);
check(tokens.iss === ids.op && tokens.aud === registration.client_id,
  'the ID token is issued by the OP\'s Entity Identifier to the client_id', tokens);

// --- 5. re-registration updates the client -------------------------------------
const redirect2 = `${base}/rp/callback2`;
const before = await flow(registration.client_id, redirect2);
check(before.code === 1 && /redirect_uri/.test(before.stdout), 'an unregistered redirect URI is refused before', before);
writeConfig({ ...rpClient, client_name: 'E2E Relying Party, renamed', redirect_uris: [redirect, redirect2] });
const second = await register();
const renewed = json(second);
check(second.code === 0 && renewed?.client_id, 'oidfed register registers the RP again', second);
check(renewed.client_id === registration.client_id, 'the same client at oidc-provider is updated (RFC 7592)', renewed);
check(renewed.metadata.openid_relying_party.redirect_uris.includes(redirect2), 'the response has the new redirect URI', renewed);
const after = await flow(renewed.client_id, redirect2);
check(after.code === 0 && json(after)?.access_token, 'the new redirect URI works at oidc-provider', after);

// --- 6. renewal only when due ----------------------------------------------------
const notDue = json(await register('--renew-within', '10s'));
check(notDue?.renewal === 'not due' && notDue.exp === renewed.exp, '--renew-within leaves a registration not due alone', notDue);

console.log(`registration time: ${Math.round(first.ms)} ms cold (first registration), ${Math.round(second.ms)} ms warm `
  + '(the OP\'s chain cache holds the superiors\' statements); each includes the CLI resolving the OP');

// --- 7. expiry removes the client --------------------------------------------------
// The refresher (every second) deletes the client at oidc-provider once the
// registration has ended; its state file in the store directory goes with it.
const storeDir = path.join(work, 'clients/op');
const clientFiles = () => fs.readdirSync(storeDir).filter((name) => name.endsWith('.json'));
check(clientFiles().length === 1, 'the RFC 7591 store keeps one state file for the client', clientFiles());
const ended = Date.now();
await waitFor('the client removed after the registration expired', async () => (
  Date.now() / 1000 >= renewed.exp && clientFiles().length === 0), renewed.exp - Math.floor(Date.now() / 1000) + 15);
console.log(`ok: the store removed the client ${Math.round((Date.now() - ended) / 1000)} s later, `
  + `${Math.round(Date.now() / 1000 - renewed.exp)} s past the registration's exp`);
const gone = await flow(renewed.client_id, redirect);
check(gone.code === 1 && json(gone)?.error === 'invalid_client', 'oidc-provider no longer knows the client', gone);
console.log('1 passed, 0 failed');
// The children and fetch's kept-alive connections would hold the event loop
// open: exit, which stops the children (cleanup).
process.exit(0);
