// The console's entry point: the token form, the navigation, and the
// router (location.hash "#/VIEW?params") that renders one view into <main>.

import {setToken, token} from './api.js';
import {clear, message} from './dom.js';
import {entitiesView, entityView, expiryView, explainView, federationView, healthView} from './views.js';

const VIEWS = {
  federation: federationView,
  entities: entitiesView,
  entity: entityView,
  explain: explainView,
  expiry: expiryView,
  health: healthView,
};

const NAV_OF = {entity: 'entities'};

function showTokenState() {
  document.getElementById('token-state').textContent = token() ? 'token set for this tab' : 'no token';
}

async function render() {
  const main = document.getElementById('main');
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : 'federation';
  const [name, query] = hash.split('?');
  const view = VIEWS[name] ? name : 'federation';
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.view === (NAV_OF[view] || view)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.setAttribute('aria-busy', 'true');
  try {
    await VIEWS[view](main, new URLSearchParams(query || ''), render);
  } catch (error) {
    clear(main);
    main.append(message(error.message || String(error), 'error'));
    if (error.status === 401)
      main.append(message('This view needs an admin operator\'s token: enter it above (Operator token).', 'error'));
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    input.value = '';
    showTokenState();
    render();
  });
  document.getElementById('token-forget').addEventListener('click', () => {
    setToken('');
    showTokenState();
    render();
  });
  window.addEventListener('hashchange', () => {
    render().then(() => document.getElementById('main').focus());
  });
  showTokenState();
  render();
});
