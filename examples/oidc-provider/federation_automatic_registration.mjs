// OpenID Federation Automatic Registration (spec 12.1) for oidc-provider
// (npm), through the trust API of an `oidfed serve` that hosts the OP's
// federation entity (docs/trust-api.md). Copy this file into your OP; it
// has no dependency besides oidc-provider itself and Node.js >= 20.19.
//
// What it does:
//  - adapter: a client whose client_id is an Entity Identifier is looked up
//    at the trust API (POST {trustApi}/client) instead of in storage: its
//    metadata as the federation resolved it, with the protocol keys oidfed
//    verified (jwks, or fetched from signed_jwks_uri / jwks_uri) given to
//    oidc-provider by value. The answer is kept until the chain or the keys
//    expire, whichever is first, and at most `maxCacheSeconds`. Every other
//    model goes to the adapter you pass (oidc-provider's own by default).
//  - middleware: before oidc-provider sees a request of such a client,
//      * at the authorization endpoint, its Request Object is verified
//        (POST {trustApi}/request-object: aud this OP only, no sub, jti
//        single use across every oidfed replica, the trust_chain header as
//        a verified path hint, the signature with the resolved keys). A
//        request without a Request Object (or a PAR request_uri) is refused:
//        automatic registration needs proof of the client's keys (12.1.1).
//        A refusal is a 400 JSON error and never a redirect (12.1.3: the
//        redirect URI of a client that is not trusted is not trusted either).
//      * at the PAR and token endpoints, its private_key_jwt client
//        assertion is verified (POST {trustApi}/client-assertion); a bad
//        assertion is 401 invalid_client, a client that is not trusted 400
//        with the trust error (12.1.3: invalid_trust_anchor,
//        invalid_trust_chain, invalid_metadata). A PAR request's own Request
//        Object is verified too.
//    oidc-provider then does its own checks as for any client.
//  - The trust API unreachable or failing: 503 temporarily_unavailable;
//    nothing is trusted (fail closed).
//
// Use:
//   import Provider from 'oidc-provider';
//   import { federationAutomaticRegistration } from './federation_automatic_registration.mjs';
//   const federation = federationAutomaticRegistration({
//     Adapter: YourStorageAdapter,                               // every other model
//     trustApi: 'https://federation.example.org/op/trust-api',  // {OP entity id}/trust-api
//     token: process.env.OIDFED_TRUST_API_TOKEN,                // its hash is in oidfed's trust_api.callers
//   });
//   const provider = new Provider(opEntityId, {
//     adapter: federation.adapter,
//     features: { requestObjects: { enabled: true }, pushedAuthorizationRequests: { enabled: true } },
//     clientAuthMethods: ['private_key_jwt', ...],
//     ...
//   });
//   provider.use(federation.middleware);
//
// Options: trustApi and token (required); isEntityIdentifier(clientId)
// (default: an https URL; pass your own to allow http on loopback in
// tests); routes (oidc-provider's `routes` for authorization,
// pushed_authorization_request and token, when you changed them); Adapter
// (required: the storage of every other model, a class as oidc-provider's
// `adapter` option takes; for development oidc-provider's own,
// `import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js'`);
// maxCacheSeconds (default 300); timeoutMs (default 10000).

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_BODY_BYTES = 56 * 1024;  // oidc-provider's own limit

class FederationError extends Error {
  constructor(status, error, description) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

export function federationAutomaticRegistration(options) {
  const {
    trustApi,
    token,
    isEntityIdentifier = (clientId) => typeof clientId === 'string' && clientId.startsWith('https://'),
    routes = {},
    Adapter,
    maxCacheSeconds = 300,
    timeoutMs = 10000,
  } = options;
  if (!trustApi || !token || typeof Adapter !== 'function') {
    throw new TypeError('federationAutomaticRegistration: trustApi, token and Adapter are required');
  }
  const paths = {
    authorization: routes.authorization ?? '/auth',
    par: routes.pushed_authorization_request ?? '/request',
    token: routes.token ?? '/token',
  };

  // Client id -> {metadata, until (ms)}: what the trust API last said.
  const clients = new Map();

  // One call of the trust API; its 200 answer, or a FederationError with
  // the status the OP answers the client with.
  async function call(name, params, refusalStatus) {
    let response;
    try {
      response = await fetch(`${trustApi}/${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new FederationError(503, 'temporarily_unavailable', `the trust API cannot be reached: ${cause.message}`);
    }
    const answer = await response.json().catch(() => ({}));
    if (response.status === 200) return remember(answer);
    if (response.status === 400) {
      // The client's own fault (its JWT) takes the endpoint's status; trust
      // (12.1.3: invalid_trust_anchor, invalid_trust_chain, invalid_metadata)
      // is a 400 everywhere.
      const error = answer.error ?? 'invalid_request';
      const status = ['invalid_client', 'invalid_request_object'].includes(error) ? refusalStatus : 400;
      throw new FederationError(status, error, answer.error_description ?? '');
    }
    // 401 (our own credentials), 429, 503, anything else: not the client's fault.
    throw new FederationError(503, 'temporarily_unavailable',
      `the trust API answered ${response.status}${answer.error ? ` ${answer.error}` : ''}`);
  }

  // oidc-provider's client metadata from the trust API's answer: the
  // resolved parameters, with the verified keys by value (oidc-provider
  // neither reads signed_jwks_uri nor should fetch jwks_uri again).
  function remember(answer) {
    const metadata = { ...answer.client_metadata, client_id: answer.client_id, jwks: answer.jwks };
    delete metadata.jwks_uri;
    delete metadata.signed_jwks_uri;
    // 12.1: no client secret is ever issued to a federation client.
    metadata.token_endpoint_auth_method ??= 'private_key_jwt';
    const until = Math.min(answer.expires_at ?? 0, answer.keys_expires_at ?? Infinity) * 1000;
    clients.set(answer.client_id, { metadata, until: Math.min(until, Date.now() + maxCacheSeconds * 1000) });
    return answer;
  }

  class ClientAdapter {
    constructor(name) {
      this.storage = new Adapter(name);
    }

    async find(id) {
      if (!isEntityIdentifier(id)) return this.storage.find(id);
      const known = clients.get(id);
      if (known && known.until > Date.now()) return known.metadata;
      clients.delete(id);
      try {
        await call('client', { client_id: id }, 400);
      } catch {
        return undefined;  // oidc-provider answers invalid_client
      }
      return clients.get(id)?.metadata;
    }

    upsert(...args) { return this.storage.upsert(...args); }
    findByUid(...args) { return this.storage.findByUid(...args); }
    findByUserCode(...args) { return this.storage.findByUserCode(...args); }
    consume(...args) { return this.storage.consume(...args); }
    destroy(...args) { return this.storage.destroy(...args); }
    revokeByGrantId(...args) { return this.storage.revokeByGrantId(...args); }
  }

  function adapter(name) {
    return name === 'Client' ? new ClientAdapter(name) : new Adapter(name);
  }

  // The form body, read once and handed on to oidc-provider (which takes an
  // already read body from ctx.request.body).
  async function formBody(ctx) {
    if (!ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
    const chunks = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new FederationError(413, 'invalid_request', 'the request body is too large');
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    ctx.request.body = body;
    return new URLSearchParams(body.toString('utf8'));
  }

  // The client an assertion names when the request has no client_id.
  function assertionIssuer(assertion) {
    try {
      return JSON.parse(Buffer.from(assertion.split('.')[1], 'base64url')).iss;
    } catch {
      return undefined;
    }
  }

  async function checkAuthorization(params) {
    const clientId = params.get('client_id');
    if (!isEntityIdentifier(clientId)) return;
    if (params.get('request')) {
      await call('request-object', { request: params.get('request'), client_id: clientId }, 400);
    } else if (!params.get('request_uri')) {
      throw new FederationError(400, 'invalid_request',
        'a federation client must send a signed Request Object or use PAR (spec 12.1.1)');
    }
  }

  async function checkClientAuthentication(params, route) {
    const assertion = params.get('client_assertion');
    const clientId = params.get('client_id') ?? (assertion ? assertionIssuer(assertion) : undefined);
    if (!isEntityIdentifier(clientId)) return;
    if (!assertion || params.get('client_assertion_type') !== JWT_BEARER) {
      throw new FederationError(401, 'invalid_client', 'a federation client authenticates with private_key_jwt (spec 12.1.1.2)');
    }
    await call('client-assertion', { assertion, ...(params.get('client_id') ? { client_id: clientId } : {}) }, 401);
    if (route === paths.par && params.get('request')) {
      await call('request-object', { request: params.get('request'), client_id: clientId }, 400);
    }
  }

  async function middleware(ctx, next) {
    const route = ctx.path;
    if (![paths.authorization, paths.par, paths.token].includes(route)) return next();
    try {
      if (route === paths.authorization) {
        const params = ctx.method === 'POST' ? await formBody(ctx) : new URLSearchParams(ctx.querystring);
        await checkAuthorization(params);
      } else if (ctx.method === 'POST') {
        await checkClientAuthentication(await formBody(ctx), route);
      }
    } catch (error) {
      if (!(error instanceof FederationError)) throw error;
      ctx.status = error.status;
      // A 401 carries no WWW-Authenticate: the client authenticated with an
      // assertion in the body, not an HTTP scheme (RFC 6749 5.2), as
      // oidc-provider itself answers.
      ctx.set('cache-control', 'no-store');
      ctx.body = { error: error.error, error_description: error.message };
      return undefined;
    }
    return next();
  }

  return { adapter, middleware };
}
