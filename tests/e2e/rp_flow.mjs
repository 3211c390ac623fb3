// A Relying Party run by openid-client (npm): one whole OpenID Connect
// authorization code flow with PKCE and private_key_jwt client
// authentication, headless: the user agent is a small cookie-keeping HTTP
// loop that fills in the OP's login and consent forms (oidc-provider's
// development interactions) and stops at the redirect back to the RP.
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
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';

import * as client from 'openid-client';

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

// The PEM private key as a WebCrypto key for the client assertion.
async function readSigningKey(file, alg) {
  const keyObject = crypto.createPrivateKey(fs.readFileSync(file));
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  let algorithm;
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = keyObject.asymmetricKeyDetails.namedCurve;
    const byCurve = { prime256v1: ['P-256', 'ES256'], secp384r1: ['P-384', 'ES384'], secp521r1: ['P-521', 'ES512'] };
    if (!byCurve[curve]) throw new Error(`unsupported curve ${curve}`);
    algorithm = { name: 'ECDSA', namedCurve: byCurve[curve][0] };
    alg ??= byCurve[curve][1];
  } else if (keyObject.asymmetricKeyType === 'rsa') {
    alg ??= 'PS256';
    const bits = alg.slice(2);
    algorithm = alg.startsWith('PS') ? { name: 'RSA-PSS', hash: `SHA-${bits}` } : { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` };
  } else if (keyObject.asymmetricKeyType === 'ed25519') {
    algorithm = { name: 'Ed25519' };
    alg ??= 'EdDSA';
  } else {
    throw new Error(`unsupported key type ${keyObject.asymmetricKeyType}`);
  }
  const key = await crypto.webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
  return { key, alg };
}

// A minimal user agent: cookies by name and path (one host), no redirects
// followed by fetch itself.
class UserAgent {
  cookies = new Map();

  cookieHeader(url) {
    const path = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((cookie) => path === cookie.path || path.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  keep(url, response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, attributeValue = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = attributeValue || '/';
        if (key.toLowerCase() === 'expires' && Date.parse(attributeValue) < Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true;
      }
      const id = `${name};${path}`;
      if (expired || value === '') this.cookies.delete(id);
      else this.cookies.set(id, { name, value, path });
    }
  }

  async request(url, init = {}) {
    const headers = { ...(init.headers ?? {}) };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.keep(url, response);
    return response;
  }
}

const htmlDecode = (text) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

// The one form of an interaction page: its action and its fields, with the
// login name and a password filled in where asked.
function fillForm(html, pageUrl, login) {
  const form = /<form[^>]*action="([^"]*)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return null;
  const fields = new URLSearchParams();
  for (const input of form[2].matchAll(/<input([^>]*)>/gi)) {
    const name = /name="([^"]*)"/.exec(input[1])?.[1];
    if (!name) continue;
    const value = /value="([^"]*)"/.exec(input[1])?.[1];
    if (name === 'login') fields.set(name, login);
    else if (name === 'password') fields.set(name, 'any password');
    else fields.set(name, htmlDecode(value ?? ''));
  }
  return { action: new URL(htmlDecode(form[1]), pageUrl), fields };
}

// Drives the user agent from the authorization request to the redirect back
// to redirectUri; returns that URL.
async function authorize(authorizationUrl, redirectUri, login) {
  const agent = new UserAgent();
  let response = await agent.request(authorizationUrl);
  let url = authorizationUrl;
  for (let step = 0; step < 20; step++) {
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location'), url);
      if (location.href.startsWith(redirectUri)) return location;
      url = location;
      response = await agent.request(url);
      continue;
    }
    const body = await response.text();
    if (response.status !== 200) {
      // The OP's error page (oidc-provider: <pre><strong>error</strong>: ...</pre>).
      const field = (name) => new RegExp(`<strong>${name}</strong>: ([^<]*)`).exec(body)?.[1];
      const error = field('error');
      if (error) fail(htmlDecode(error), htmlDecode(field('error_description') ?? ''));
      fail('authorization_failed', `${url} answered ${response.status}: ${body.slice(0, 500)}`);
    }
    const form = fillForm(body, url, login);
    if (!form) fail('authorization_failed', `${url} shows no form to submit: ${body.slice(0, 500)}`);
    url = form.action;
    response = await agent.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.fields.toString(),
    });
  }
  fail('authorization_failed', 'no redirect back to the client after 20 steps');
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
  const callback = await authorize(authorizationUrl, args['redirect-uri'], args.login);
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
