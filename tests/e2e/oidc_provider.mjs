// A real, unmodified OpenID Provider for the end-to-end tests: oidc-provider
// (npm, a certified implementation) on a free loopback port, with
//  - RFC 7591 dynamic client registration behind an initial access token
//    (read from a file, as oidfed's RFC 7591 client store reads it),
//  - RFC 7592 client management (read, update, delete; the registration
//    access token rotates on update, as oidc-provider does by default),
//  - private_key_jwt among the client authentication methods,
//  - its development interactions (a login form and a consent form, plain
//    HTML posted back), which tests/e2e/rp_flow.mjs fills in headless.
//
// Usage: node oidc_provider.mjs --issuer URL --initial-access-token-file FILE
//                               [--ready-file FILE]
// The issuer is the OP's Entity Identifier, hosted by `oidfed serve` on
// another port (spec 5.1.3: the resolved issuer equals the entity id), while
// the endpoints are this process's own (oidc-provider derives them from the
// request). Once listening it prints one JSON line on stdout,
// {"port", "base", "issuer"}, and writes it to --ready-file when given.
// Accounts: any login name is an account whose sub is that name. Stops on
// SIGTERM / SIGINT.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

import { federationAutomaticRegistration } from '../../examples/oidc-provider/federation_automatic_registration.mjs';

const { values: args } = parseArgs({
  options: {
    issuer: { type: 'string' },
    'initial-access-token-file': { type: 'string' },
    'ready-file': { type: 'string' },
    'trust-api': { type: 'string' },
    'trust-api-token-file': { type: 'string' },
  },
  strict: true,
});
if (!args.issuer || (!args['initial-access-token-file'] && !args['trust-api'])
    || Boolean(args['trust-api']) !== Boolean(args['trust-api-token-file'])) {
  process.stderr.write('usage: node oidc_provider.mjs --issuer URL [--initial-access-token-file FILE] '
    + '[--trust-api URL --trust-api-token-file FILE] [--ready-file FILE]\n');
  process.exit(2);
}
function secretFrom(file) {
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (!secret) {
    process.stderr.write(`oidc_provider: ${file} is empty\n`);
    process.exit(2);
  }
  return secret;
}
const initialAccessToken = args['initial-access-token-file'] ? secretFrom(args['initial-access-token-file']) : undefined;
const federation = args['trust-api'] ? federationAutomaticRegistration({
  trustApi: args['trust-api'],
  token: secretFrom(args['trust-api-token-file']),
  Adapter: MemoryAdapter,
  isEntityIdentifier: (clientId) => typeof clientId === 'string' && clientId.startsWith('http://127.0.0.1:'),
}) : undefined;

// The OP's ID token signing key (RS256, oidc-provider's default algorithm),
// new on every start: nothing is kept.
function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const { kty, n, e } = jwk;
  jwk.kid = crypto.createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
  jwk.use = 'sig';
  jwk.alg = 'RS256';
  return jwk;
}

const provider = new Provider(args.issuer, {
  jwks: { keys: [signingKey()] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  ...(federation ? { adapter: federation.adapter } : {}),
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: Boolean(initialAccessToken), initialAccessToken },
    registrationManagement: { enabled: Boolean(initialAccessToken) },
    requestObjects: { enabled: Boolean(federation) },
    pushedAuthorizationRequests: { enabled: true },
  },
  clientAuthMethods: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'none'],
  // Every login name is an account.
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
});
if (federation) provider.use(federation.middleware);
provider.on('server_error', (ctx, error) => process.stderr.write(`oidc_provider: server_error: ${error.stack}\n`));

const server = http.createServer(provider.callback());
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const ready = JSON.stringify({ port, base: `http://127.0.0.1:${port}`, issuer: args.issuer });
  if (args['ready-file']) fs.writeFileSync(args['ready-file'], `${ready}\n`);
  process.stdout.write(`${ready}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.closeAllConnections();
    process.exit(0);
  });
}
