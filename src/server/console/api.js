// The console's calls to the server that serves it: its data (api/...) and
// the admin API forwarded under admin/... (docs/admin-api.md), both with the
// operator's bearer token when one was given. The token is kept in this
// tab's sessionStorage only: it is sent to this origin alone and is gone
// when the tab closes.

const TOKEN_KEY = 'oidfed-console-token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An answer other than 2xx: status, the error object of the body. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.error_description || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

function headers(extra = {}) {
  const out = {Accept: 'application/json', ...extra};
  if (token()) out.Authorization = `Bearer ${token()}`;
  return out;
}

async function answer(response) {
  let body = null;
  const text = await response.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = {error_description: text.slice(0, 200)};
    }
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return {body, etag: response.headers.get('ETag')};
}

function url(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) if (value) query.set(name, value);
  const text = query.toString();
  return path + (text ? '?' + text : '');
}

/** GET api/VIEW?params: the body. */
export async function data(view, params) {
  const response = await fetch(url(`api/${view}`, params), {headers: headers(), cache: 'no-store'});
  return (await answer(response)).body;
}

/** An admin API call: {body, etag}. */
export async function admin(method, path, params, {body, ifMatch} = {}) {
  const extra = {};
  if (body !== undefined) extra['Content-Type'] = 'application/json';
  if (ifMatch) extra['If-Match'] = ifMatch;
  const response = await fetch(url(`admin/${path}`, params), {
    method,
    headers: headers(extra),
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  return answer(response);
}
