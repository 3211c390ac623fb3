// A Relying Party run by openid-client (npm): one whole OpenID Connect
// authorization code flow with PKCE and private_key_jwt client
// authentication, headless: the user agent (user_agent.mjs) is a small
// cookie-keeping HTTP loop that fills in the OP's login and consent forms
// (oidc-provider's development interactions) and stops at the redirect back
// to the RP.
//
// Usage: node rp_flow.mjs --op-metadata=FILE --client-id=ID --key=PEM --kid=KID
//                         --redirect-uri=URI [--alg=ALG] [--login=NAME] [--scope=S]
// (the --name=value form: a client_id may begin with '-')
//   --op-metadata  the OP's openid_provider metadata as the federation
//                  resolved it: a file holding that object, or the output of
//                  `oidfed resolve` (metadata.openid_provider is taken)
//   --client-id    the client_id the OP assigned (the registration response's)
//   --key, --kid   the RP's protocol key: a PEM private key (PKCS#8 or
//                  SEC1/PKCS#1) whose public JWK the RP registered in its jwks
//   --alg          the client assertion's algorithm; default from the key
//                  (ES256 / ES384 / ES512 by curve, PS256 for RSA, EdDSA)
// http:// endpoints are allowed (loopback test federations).
//
// Prints one JSON line: {"client_id", "iss", "sub", "aud", "token_type",
// "scope", "access_token": true, "id_token": true} and exits 0 when the OP
// issued tokens; otherwise prints {"error", "error_description"} (the OP's
// error when it gave one) and exits 1; 2 for usage errors.
import fs from 'node:fs';
import { parseArgs } from 'node:util';

import * as client from 'openid-client';

import { readSigningKey } from './signing_key.mjs';
import { authorize } from './user_agent.mjs';

const { values: args } = parseArgs({
  options: {
    'op-metadata': { type: 'string' },
    'client-id': { type: 'string' },
    key: { type: 'string' },
    kid: { type: 'string' },
    alg: { type: 'string' },
    'redirect-uri': { type: 'string' },
    login: { type: 'string', default: 'alice' },
    scope: { type: 'string', default: 'openid' },
  },
  strict: true,
});
for (const required of ['op-metadata', 'client-id', 'key', 'kid', 'redirect-uri']) {
  if (!args[required]) {
    process.stderr.write(`rp_flow: --${required} is required\n`);
    process.exit(2);
  }
}

function fail(error, description) {
  process.stdout.write(`${JSON.stringify({ error, error_description: description })}\n`);
  process.exit(1);
}

// The OP's metadata: the object itself, or `oidfed resolve` output.
function readOpMetadata(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const metadata = json?.metadata?.openid_provider ?? json?.openid_provider ?? json;
  if (!metadata?.issuer || !metadata?.authorization_endpoint || !metadata?.token_endpoint) {
    process.stderr.write(`rp_flow: ${file} holds no openid_provider metadata with issuer and endpoints\n`);
    process.exit(2);
  }
  return metadata;
}

const server = readOpMetadata(args['op-metadata']);
const { key, alg } = await readSigningKey(args.key, args.alg);
const config = new client.Configuration(
  server,
  args['client-id'],
  { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: alg },
  client.PrivateKeyJwt({ key, kid: args.kid }, {}),
);
client.allowInsecureRequests(config);

try {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: args['redirect-uri'],
    scope: args.scope,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
  });
  const answer = await authorize(authorizationUrl, args['redirect-uri'], args.login);
  if (!answer.location) fail(answer.error, answer.error_description);
  const callback = answer.location;
  if (callback.searchParams.get('error')) {
    fail(callback.searchParams.get('error'), callback.searchParams.get('error_description') ?? '');
  }
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
  });
  const claims = tokens.claims();
  process.stdout.write(`${JSON.stringify({
    client_id: args['client-id'],
    iss: claims?.iss,
    sub: claims?.sub,
    aud: claims?.aud,
    token_type: tokens.token_type,
    scope: tokens.scope,
    access_token: Boolean(tokens.access_token),
    id_token: Boolean(tokens.id_token),
  })}\n`);
} catch (error) {
  fail(error.error ?? error.code ?? 'rp_flow_failed', error.error_description ?? error.message);
}
