// A headless user agent for the end-to-end tests: a cookie-keeping HTTP loop
// that follows an authorization request through oidc-provider's development
// interactions (a login form and a consent form, filled in) to the redirect
// back to the client, or to the OP's refusal.
//
// authorize(url, redirectUri, login) resolves to one of
//   {location: URL}                       the redirect back to redirectUri
//   {status, error, error_description}    the OP answered with an error page
//                                         or status and no redirect
// and never follows a redirect anywhere but within the OP.

// Cookies by name and path (one host); fetch itself follows no redirect.
export class UserAgent {
  cookies = new Map();

  cookieHeader(url) {
    const path = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((cookie) => path === cookie.path || path.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  keep(response) {
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
    this.keep(response);
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

// An error answer: JSON {error, error_description}, or oidc-provider's error
// page (<pre><strong>error</strong>: ...</pre>).
function errorOf(status, body, url) {
  try {
    const json = JSON.parse(body);
    if (json.error) return { status, error: json.error, error_description: json.error_description ?? '' };
  } catch {
    // not JSON
  }
  const field = (name) => new RegExp(`<strong>${name}</strong>: ([^<]*)`).exec(body)?.[1];
  const error = field('error');
  if (error) return { status, error: htmlDecode(error), error_description: htmlDecode(field('error_description') ?? '') };
  return { status, error: 'authorization_failed', error_description: `${url} answered ${status}: ${body.slice(0, 500)}` };
}

// Drives a new user agent from the authorization request to the redirect
// back to redirectUri.
export async function authorize(authorizationUrl, redirectUri, login) {
  const agent = new UserAgent();
  let url = new URL(authorizationUrl);
  let response = await agent.request(url);
  for (let step = 0; step < 20; step++) {
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location'), url);
      if (location.href.startsWith(redirectUri)) return { location };
      if (location.origin !== url.origin) {
        return { status: response.status, error: 'authorization_failed', error_description: `a redirect to ${location}` };
      }
      url = location;
      response = await agent.request(url);
      continue;
    }
    const body = await response.text();
    if (response.status !== 200) return errorOf(response.status, body, url);
    const form = fillForm(body, url, login);
    if (!form) return errorOf(response.status, body, url);
    url = form.action;
    response = await agent.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.fields.toString(),
    });
  }
  return { status: 0, error: 'authorization_failed', error_description: 'no redirect back to the client after 20 steps' };
}
