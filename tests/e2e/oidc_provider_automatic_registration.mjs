// End to end (meson suite e2e): Automatic Registration (spec 12.1) at a
// real, unmodified OpenID Provider (oidc-provider) through oidfed's trust
// API, with openid-client as the Relying Party. No client is ever registered
// at the OP: it asks the trust API about every client whose client_id is an
// Entity Identifier, through the adapter operators copy
// (examples/oidc-provider/federation_automatic_registration.mjs).
//
//  1. oidc-provider on a free loopback port with signed Request Objects and
//     PAR, the adapter configured with the trust API's URL and a bearer
//     token; its issuer is the OP's Entity Identifier, hosted by oidfed.
//  2. One `oidfed serve`: a trust anchor; the OP (its metadata: oidc-provider's
//     discovery document, client_registration_types_supported automatic)
//     with a trust_api whose one caller is that token's SHA-256; an RP whose
//     openid_relying_party metadata carries its protocol key; and a rogue RP
//     naming the anchor as its superior, which the anchor never registered.
//  3. The RP signs in with a signed Request Object (openid-client's JAR):
//     the authorization code flow ends with tokens whose ID token is the
//     OP's for the RP's Entity Identifier. The same Request Object again is
//     refused (its jti was used), with no redirect.
//  4. A Request Object with the RP's trust_chain header (a verified path
//     hint) works; one signed by a key that is not in the RP's resolved
//     metadata is refused.
//  5. The RP signs in through PAR with private_key_jwt.
//  6. The rogue RP is refused, without a redirect, by Request Object and by
//     PAR (with the trust error); a client assertion under the RP's
//     client_id signed by another key is refused at PAR (401
//     invalid_client); an RP's plain authorization request without a
//     Request Object is refused.
// Prints the time of the trust API's client lookup, cold and warm, and of
// each sign-in. Environment: OIDFED_CLI (the built oidfed).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import * as client from 'openid-client';

import {
  anchorEntity, check, freePort, json, oidfed, serveFederation, startOidcProvider, switches, work,
} from './harness.mjs';
import { readSigningKey } from './signing_key.mjs';
import { authorize } from './user_agent.mjs';

// --- 1. oidc-provider --------------------------------------------------------
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const ids = { ta: `${base}/ta`, op: `${base}/op`, rp: `${base}/rp`, rogue: `${base}/rogue` };
const trustApi = `${ids.op}/trust-api`;
const token = crypto.randomBytes(32).toString('base64url');
const tokenFile = path.join(work, 'trust-api-token');
fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
const { discovery } = await startOidcProvider([
  '--issuer', ids.op, '--trust-api', trustApi, '--trust-api-token-file', tokenFile,
]);
check(discovery.issuer === ids.op, 'oidc-provider names the OP\'s Entity Identifier as issuer', discovery);
check(discovery.request_parameter_supported && discovery.pushed_authorization_request_endpoint,
  'oidc-provider takes Request Objects and PAR', discovery);

// --- 2. the federation -------------------------------------------------------
const keygen = async (name) => {
  const key = json(await oidfed('keygen', '--alg', 'ES256', '--out', name));
  check(key?.kid, `a protocol key (oidfed keygen ${name})`, key);
  return { ...key, signing: await readSigningKey(path.resolve(work, key.private_key_file)) };
};
const rpKey = await keygen('rp-protocol-key');
const rogueKey = await keygen('rogue-protocol-key');
const strangerKey = await keygen('stranger-key');
const redirect = `${base}/rp/callback`;
const relyingParty = (name, key, redirectUri) => ({
  client_name: name,
  application_type: 'web',
  redirect_uris: [redirectUri],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [key.public_jwk] },
  client_registration_types: ['automatic'],
});
const opMetadata = { ...discovery, client_registration_types_supported: ['automatic'] };
delete opMetadata.registration_endpoint;
const config = {
  listen: `127.0.0.1:${port}`,
  allow_http: true,
  fetch: { allow_loopback: true },
  entities: [
    anchorEntity(ids.ta),
    {
      entity_id: ids.op,
      keys_dir: 'keys/op',
      metadata: { federation_entity: { organization_name: 'oidc-provider' }, openid_provider: opMetadata },
      authority_hints: [ids.ta],
      trust_api: {
        trust_anchors: [{ entity_id: ids.ta }],
        callers: [{ name: 'oidc-provider', token_sha256: crypto.createHash('sha256').update(token).digest('hex') }],
      },
    },
    {
      entity_id: ids.rp,
      keys_dir: 'keys/rp',
      metadata: { federation_entity: { organization_name: 'E2E RP' },
        openid_relying_party: relyingParty('E2E RP', rpKey, redirect) },
      authority_hints: [ids.ta],
    },
    {
      entity_id: ids.rogue,
      keys_dir: 'keys/rogue',
      metadata: { federation_entity: { organization_name: 'Rogue RP' },
        openid_relying_party: relyingParty('Rogue RP', rogueKey, `${base}/rogue/callback`) },
      authority_hints: [ids.ta],
    },
  ],
};
fs.writeFileSync(path.join(work, 'oidfed.json'), `${JSON.stringify(config, null, 2)}\n`);
await serveFederation(base, ids.ta, [ids.op, ids.rp]);
const resolved = async (entity) => {
  const result = await oidfed('--format', 'json', 'resolve', entity, '--trust-anchor-file', 'ta.json', ...switches);
  check(result.code === 0, `${entity} resolves under the anchor`, result);
  return json(result);
};
const op = await resolved(ids.op);
const server = op.metadata.openid_provider;
check(server.issuer === ids.op && server.client_registration_types_supported.includes('automatic'),
  'the OP\'s resolved metadata: its issuer, automatic registration', server);

// The trust API itself, as the adapter calls it: a client lookup, cold
// (resolution from the RP's Entity Configuration) and warm.
const lookup = async () => {
  const started = process.hrtime.bigint();
  const response = await fetch(`${trustApi}/client`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: ids.rp }).toString(),
  });
  return { status: response.status, body: await response.json(), ms: Number(process.hrtime.bigint() - started) / 1e6 };
};
const cold = await lookup();
check(cold.status === 200 && cold.body.client_id === ids.rp && cold.body.trust_anchor === ids.ta,
  'the trust API resolves the RP for the OP', cold);
const warm = await lookup();
check(warm.status === 200, 'the trust API answers again from its caches', warm);
const anonymous = await fetch(`${trustApi}/client`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ client_id: ids.rp }).toString(),
});
check(anonymous.status === 401, 'the trust API refuses a caller without credentials', anonymous.status);

// --- 3.-5. the RP signs in ---------------------------------------------------
const rpConfig = (clientId, key) => {
  const configuration = new client.Configuration(server, clientId,
    { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: key.signing.alg },
    client.PrivateKeyJwt({ key: key.signing.key, kid: key.kid }));
  client.allowInsecureRequests(configuration);
  return configuration;
};
const rp = rpConfig(ids.rp, rpKey);
const authorizationParameters = async (redirectUri) => {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  return {
    params: {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      state,
    },
    checks: { pkceCodeVerifier, expectedState: state },
  };
};
// One sign-in from an authorization URL: the ID token's claims, or the
// refusal ({status, error}) when the OP did not redirect back.
const signIn = async (configuration, url, checks, redirectUri = redirect) => {
  const started = process.hrtime.bigint();
  const answer = await authorize(url, redirectUri, 'alice');
  if (!answer.location) return answer;
  if (answer.location.searchParams.get('error')) {
    return { redirected: true, error: answer.location.searchParams.get('error'),
      error_description: answer.location.searchParams.get('error_description') };
  }
  const tokens = await client.authorizationCodeGrant(configuration, answer.location, checks);
  return { claims: tokens.claims(), ms: Number(process.hrtime.bigint() - started) / 1e6 };
};
const signingKey = (key) => ({ key: key.signing.key, kid: key.kid });

const jar = await authorizationParameters(redirect);
const jarUrl = await client.buildAuthorizationUrlWithJAR(rp, jar.params, signingKey(rpKey));
const jarSignIn = await signIn(rp, jarUrl, jar.checks);
check(jarSignIn.claims?.iss === ids.op && jarSignIn.claims?.aud === ids.rp,
  'a signed Request Object: the RP signs in, the ID token is the OP\'s for the RP\'s Entity Identifier', jarSignIn);
const replay = await authorize(jarUrl, redirect, 'alice');
check(!replay.location && replay.status === 400 && replay.error === 'invalid_request_object',
  'the same Request Object again is refused (jti single use), without a redirect', replay);

const hinted = await authorizationParameters(redirect);
const rpChain = (await resolved(ids.rp)).trust_chain;
const hintedUrl = await client.buildAuthorizationUrlWithJAR(rp, hinted.params, signingKey(rpKey), {
  [client.modifyAssertion]: (header) => { header.trust_chain = rpChain; },
});
const hintedSignIn = await signIn(rp, hintedUrl, hinted.checks);
check(hintedSignIn.claims?.aud === ids.rp, 'a Request Object with the RP\'s trust_chain header works', hintedSignIn);

const forged = await authorizationParameters(redirect);
const forgedUrl = await client.buildAuthorizationUrlWithJAR(rp, forged.params, signingKey(strangerKey));
const forgedAnswer = await authorize(forgedUrl, redirect, 'alice');
check(!forgedAnswer.location && forgedAnswer.status === 400 && forgedAnswer.error === 'invalid_request_object',
  'a Request Object signed by a key not in the RP\'s resolved metadata is refused, without a redirect', forgedAnswer);

const par = await authorizationParameters(redirect);
const parUrl = await client.buildAuthorizationUrlWithPAR(rp, par.params);
const parSignIn = await signIn(rp, parUrl, par.checks);
check(parSignIn.claims?.aud === ids.rp, 'PAR with private_key_jwt: the RP signs in', parSignIn);

// --- 6. refusals ---------------------------------------------------------------
const rogue = rpConfig(ids.rogue, rogueKey);
const rogueRedirect = `${base}/rogue/callback`;
const rogueJar = await authorizationParameters(rogueRedirect);
const rogueAnswer = await authorize(
  await client.buildAuthorizationUrlWithJAR(rogue, rogueJar.params, signingKey(rogueKey)), rogueRedirect, 'alice');
check(!rogueAnswer.location && rogueAnswer.status === 400 && rogueAnswer.error === 'invalid_trust_anchor',
  'an RP no superior vouches for (no chain reaches the anchor) is refused without a redirect (12.1.3)', rogueAnswer);
const roguePar = await authorizationParameters(rogueRedirect);
const rogueParError = await client.buildAuthorizationUrlWithPAR(rogue, roguePar.params).then(() => undefined, (e) => e);
check(rogueParError?.error === 'invalid_trust_anchor' && rogueParError?.status === 400,
  'the rogue RP is refused at the PAR endpoint with the trust error (12.1.3)',
  rogueParError ? { message: rogueParError.message, error: rogueParError.error, status: rogueParError.status,
    cause: rogueParError.cause } : 'accepted');
const impostor = rpConfig(ids.rp, strangerKey);  // the RP's client_id, another key
const impostorPar = await authorizationParameters(redirect);
const impostorError = await client.buildAuthorizationUrlWithPAR(impostor, impostorPar.params).then(() => undefined, (e) => e);
check(impostorError?.error === 'invalid_client' && impostorError?.status === 401,
  'a client assertion signed by a key not in the RP\'s resolved metadata is refused at PAR (401 invalid_client)',
  impostorError ? { message: impostorError.message, error: impostorError.error, status: impostorError.status } : 'accepted');
const plain = await authorizationParameters(redirect);
const plainAnswer = await authorize(client.buildAuthorizationUrl(rp, plain.params), redirect, 'alice');
check(!plainAnswer.location && plainAnswer.status === 400 && plainAnswer.error === 'invalid_request',
  'an RP\'s authorization request without a Request Object is refused', plainAnswer);

console.log(`trust API client lookup: ${Math.round(cold.ms)} ms cold, ${warm.ms.toFixed(1)} ms warm; sign-in with a `
  + `Request Object ${Math.round(jarSignIn.ms)} ms (the first for this client at the OP's adapter), with trust_chain `
  + `${Math.round(hintedSignIn.ms)} ms, through PAR ${Math.round(parSignIn.ms)} ms (each the whole flow: authorization, `
  + 'login and consent forms, token request)');
console.log('1 passed, 0 failed');
process.exit(0);
