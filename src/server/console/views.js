// The console's views. Each takes the <main> element and the view's
// parameters, fetches its data and renders it with dom.js (text only).

import {admin, ApiError, data, token} from './api.js';
import {badge, clear, el, jsonBlock, message, table, time, timeLeft, urgency, viewLink} from './dom.js';
import {drawGraph} from './graph.js';

/** The error of a failed call, as a message naming its rule when it has one. */
function failure(error) {
  if (error instanceof ApiError && error.status === 401)
    return message('This view needs an admin operator\'s token: enter it above (Operator token).', 'error');
  const rule = error.body && error.body.rule ? ` (rule: ${error.body.rule})` : '';
  return message(`${error.message}${rule}`, 'error');
}

function heading(main, text) {
  clear(main);
  const h = el('h1', {}, text);
  main.append(h);
  document.title = `${text} — oidfed console`;
  return h;
}

/** A time-left badge; `renewed`: the server signs it again by itself. */
function left(seconds, renewed = false) {
  return badge(timeLeft(seconds), urgency(seconds, renewed));
}

/** An error object of the server as "rule: description". */
function reason(error) {
  if (!error) return '';
  return el('span', {}, error.rule ? el('strong', {class: 'rule'}, error.rule) : null, error.rule ? ': ' : '',
    error.error_description || error.error || '');
}

function verdict(text) {
  return badge(text, text === 'valid' ? 'ok' : text === 'blocked' ? 'week' : 'expired');
}

// ---- Federation ------------------------------------------------------------

export async function federationView(main, params) {
  heading(main, 'Federation');
  const [hosted, federation] = await Promise.all([
    data('entities'),
    data('federation', {trust_anchor: params.get('trust_anchor')}).catch((error) => error),
  ]);
  if (hosted.trust_anchors.length > 1) {
    const select = el('select', {id: 'anchor', name: 'trust_anchor'},
      hosted.trust_anchors.map((id) => el('option', {value: id, selected: id === params.get('trust_anchor')}, id)));
    main.append(el('form', {class: 'inline', onsubmit: (event) => {
      event.preventDefault();
      location.hash = `#/federation?${new URLSearchParams({trust_anchor: select.value})}`;
    }}, el('label', {for: 'anchor'}, 'Trust anchor'), select, el('button', {type: 'submit'}, 'Show')));
  }
  if (federation instanceof Error) {
    main.append(failure(federation));
  } else {
    main.append(el('p', {}, `Walked from the trust anchor ${federation.trust_anchor} through its list and fetch endpoints;
      each entity is resolved under that anchor. An arrow points from a subordinate to the superior whose statement
      about it is labelled with its expiry.`));
    const nodes = federation.entities.map((entity) => ({
      id: entity.entity_id,
      depth: entity.depth,
      title: entity.entity_id.replace(/^https?:\/\//, ''),
      subtitle: entity.verdict === 'valid' ? `valid, ${timeLeft(entity.chain_expires_at - Date.now() / 1000)}`
        : `invalid: ${(entity.error && (entity.error.rule || entity.error.error)) || ''}`,
      status: entity.verdict,
      href: `#/entity?${new URLSearchParams({id: entity.entity_id})}`,
    }));
    const depthOf = new Map(nodes.map((node) => [node.id, node.depth]));
    const edges = federation.statements.map((statement) => ({
      from: statement.sub,
      to: statement.iss,
      status: statement.verdict,
      label: statement.verdict === 'valid' ? `exp ${time(statement.exp).slice(0, 16)}`
        : `invalid: ${(statement.error && statement.error.rule) || ''}`,
    }));
    // Blocked subordinates of hosted authorities: no statement is served
    // about them, so the walk does not find them; drawn apart.
    for (const entity of hosted.entities) {
      for (const sub of entity.subordinates) {
        if (!sub.blocked || depthOf.has(sub.entity_id) || !depthOf.has(entity.entity_id)) continue;
        const depth = depthOf.get(entity.entity_id) + 1;
        depthOf.set(sub.entity_id, depth);
        nodes.push({id: sub.entity_id, depth, title: sub.entity_id.replace(/^https?:\/\//, ''),
          subtitle: 'blocked by its superior', status: 'blocked',
          href: `#/explain?${new URLSearchParams({sub: sub.entity_id})}`});
        edges.push({from: sub.entity_id, to: entity.entity_id, status: 'blocked', label: 'blocked'});
      }
    }
    main.append(el('figure', {class: 'graph-box'},
      drawGraph(nodes, edges, `Federation under ${federation.trust_anchor}`),
      el('figcaption', {}, badge('valid', 'ok'), ' resolves under the anchor  ', badge('invalid', 'expired'),
        ' does not  ', badge('blocked', 'week'), ' blocked by its superior')));
    main.append(table('Entities found by the walk', [
      {label: 'Entity', cell: (e) => viewLink(e.entity_id, 'entity', {id: e.entity_id})},
      {label: 'Depth', cell: (e) => String(e.depth)},
      {label: 'Types', cell: (e) => e.entity_types.join(', ')},
      {label: 'Verdict', cell: (e) => verdict(e.verdict)},
      {label: 'Why', cell: (e) => reason(e.error)},
      {label: 'Explain', cell: (e) => viewLink('explain', 'explain', {sub: e.entity_id})},
    ], federation.entities));
  }
  main.append(el('h2', {}, 'Hosted here'));
  main.append(hostedTable(hosted));
}

function idList(ids) {
  return ids.length ? el('ul', {class: 'ids'}, ids.map((id) => el('li', {}, id))) : '';
}

function hostedTable(hosted) {
  return table('Entities this server hosts', [
    {label: 'Entity', cell: (e) => viewLink(e.entity_id, 'entity', {id: e.entity_id})},
    {label: 'Organization', cell: (e) => e.organization_name || ''},
    {label: 'Types', cell: (e) => e.entity_types.join(', ')},
    {label: 'Superiors', cell: (e) => e.authority_hints.length ? idList(e.authority_hints) : '(trust anchor)'},
    {label: 'Subordinates', cell: (e) => idList(e.subordinates.map((s) => s.entity_id + (s.blocked ? ' (blocked)' : '')))},
    {label: 'Roles', cell: (e) => [e.authority && 'authority', e.resolver && 'resolver',
      e.trust_mark_issuer && 'trust mark issuer'].filter(Boolean).join(', ')},
  ], hosted.entities);
}

export async function entitiesView(main) {
  heading(main, 'Entities');
  main.append(hostedTable(await data('entities')));
}

// ---- Entity ----------------------------------------------------------------

export async function entityView(main, params, rerender) {
  const id = params.get('id') || '';
  heading(main, `Entity ${id}`);
  const entity = await data('entity', {id});
  const hosted = await data('entities');
  const status = el('div', {id: 'action-status'});
  main.append(status);

  const payload = (entity.configuration && entity.configuration.payload) || {};
  main.append(el('h2', {}, 'Entity Configuration'));
  const federationEntity = (payload.metadata && payload.metadata.federation_entity) || {};
  if (federationEntity.organization_name)
    main.append(el('p', {class: 'organization'}, 'Organization: ', el('strong', {}, federationEntity.organization_name)));
  main.append(el('p', {}, 'Expires ', time(entity.configuration_exp), ' (', left(entity.configuration_exp - nowSeconds(), true), '); re-signed by the server before then. ',
    viewLink('Explain its chain', 'explain', {sub: id})));
  main.append(el('details', {open: true}, el('summary', {}, 'Decoded (header and payload)'),
    jsonBlock(entity.configuration.header, 'Header'), jsonBlock(payload, 'Payload')));

  main.append(el('h2', {}, 'Keys'));
  main.append(table('Federation Entity Keys and their states', [
    {label: 'kid', cell: (k) => el('code', {}, k.kid)},
    {label: 'alg', cell: (k) => k.alg},
    {label: 'State', cell: (k) => badge(k.state + (k.revoked ? ' (revoked)' : ''), k.state === 'active' ? 'ok' : k.revoked ? 'expired' : 'week')},
    {label: 'Created', cell: (k) => time(k.created_at)},
    {label: 'Activated', cell: (k) => time(k.activated_at)},
    {label: 'Published until', cell: (k) => k.exp ? [time(k.exp), ' ', left(k.exp - nowSeconds())] : (k.published ? 'published' : 'not published')},
  ], entity.keys.keys));
  const writable = !hosted.read_only;
  if (writable) {
    const hasNext = entity.keys.keys.some((k) => k.state === 'next' && !k.revoked);
    main.append(el('p', {class: 'actions'}, hasNext
      ? el('button', {type: 'button', id: 'keys-activate', onclick: () => keyAction(id, 'activate', status, rerender)},
        'Activate the next key')
      : el('button', {type: 'button', id: 'keys-rotate', onclick: () => keyAction(id, 'rotate', status, rerender)},
        'Announce a next key (rotate)'),
    ' Spec 11.2 rollover through the admin API, as oidfed keys rotate and activate do.'));
  }

  if (entity.authority) {
    main.append(el('h2', {}, 'Subordinate Statements'));
    main.append(table('Subordinates and the statements served about them', [
      {label: 'Subordinate', cell: (s) => viewLink(s.entity_id, 'explain', {sub: s.entity_id})},
      {label: 'File', cell: (s) => el('code', {}, s.file)},
      {label: 'Types', cell: (s) => s.entity_types.join(', ')},
      {label: 'Statement expires', cell: (s) => s.blocked ? badge('blocked', 'week') : [time(s.exp), ' ', left(s.seconds_left, true)]},
      {label: 'Status', cell: (s) => s.blocked ? `blocked: ${s.blocked.reason}` : 'served'},
      {label: 'Action', cell: (s) => writable ? blockControl(id, s, status, rerender) : 'read-only'},
    ], entity.subordinates));
  }

  main.append(el('h2', {}, 'Trust marks held'));
  main.append(table('Trust marks in its Entity Configuration', [
    {label: 'Type', cell: (m) => m.trust_mark_type || ''},
    {label: 'Issuer', cell: (m) => m.iss || ''},
    {label: 'Expires', cell: (m) => m.exp ? [time(m.exp), ' ', left(m.seconds_left)] : 'no exp'},
  ], entity.trust_marks_held));

  if (entity.trust_marks_issued.length) {
    main.append(el('h2', {}, 'Trust marks issued'));
    main.append(table('The types this Trust Mark Issuer issues, and to whom', [
      {label: 'Type', cell: (t) => t.trust_mark_type},
      {label: 'File', cell: (t) => el('code', {}, t.file)},
      {label: 'Subjects', cell: (t) => el('ul', {class: 'ids'}, t.subjects.map((subject) => el('li', {},
        subject.entity_id, ' ', subject.revoked ? badge('revoked', 'expired') : badge('issued', 'ok'))))},
    ], entity.trust_marks_issued));
  }

  main.append(el('h2', {}, 'Issued marks, delegations and keys that end'));
  main.append(expiryTable('What this entity relies on that has an end', entity.expiries));
}

/** Now, in seconds (the browser's clock; the server gives seconds_left where it matters). */
function nowSeconds() {
  return Date.now() / 1000;
}

/** Runs an admin API change with the file's current ETag, then shows the page again with the outcome. */
async function change(status, rerender, read, write, done) {
  clear(status);
  if (!token()) {
    status.append(message('Changes need an admin operator with the write role: enter its token above.', 'error'));
    return;
  }
  try {
    const current = await read();
    const result = await write(current.etag);
    const applied = result.body.applied ? 'applied' : 'written, but the reload failed';
    await rerender();
    document.getElementById('action-status').append(message(`${done(result.body)} (${applied}).`, 'ok'));
  } catch (error) {
    status.append(failure(error));
  }
}

/** Key rollover of a hosted entity: rotate (announce a next key) or activate it. */
function keyAction(entityId, action, status, rerender) {
  const params = {entity: entityId};
  return change(status, rerender, () => admin('GET', 'keys', params),
    (etag) => admin('POST', `keys/${action}`, params, {ifMatch: etag}),
    (body) => `key ${body.kid} ${action === 'rotate' ? 'announced as the next key' : 'activated'}`);
}

/** Block (with a reason) or unblock one subordinate through the admin API. */
function blockControl(authority, sub, status, rerender) {
  const params = {entity: authority, sub: sub.entity_id};
  const act = (action, body) => change(status, rerender, () => admin('GET', 'subordinate', params),
    (etag) => admin('POST', `subordinate/${action}`, params, {body, ifMatch: etag}),
    (result) => `${sub.entity_id} ${action}ed, ${result.file} changed`);
  if (sub.blocked)
    return el('button', {type: 'button', onclick: () => act('unblock')}, `Unblock`);
  const inputId = `reason-${sub.file}`;
  const input = el('input', {id: inputId, type: 'text', required: true, placeholder: 'reason', size: 18});
  return el('form', {class: 'inline', onsubmit: (event) => {
    event.preventDefault();
    act('block', {reason: input.value});
  }}, el('label', {for: inputId, class: 'visually-hidden'}, `Reason to block ${sub.entity_id}`), input,
  el('button', {type: 'submit'}, 'Block'));
}

// ---- Explain ---------------------------------------------------------------

export async function explainView(main, params) {
  heading(main, 'Explain');
  const hosted = await data('entities');
  const sub = params.get('sub') || '';
  const anchor = params.get('trust_anchor') || '';
  const input = el('input', {id: 'explain-sub', name: 'sub', type: 'url', required: true, value: sub, size: 48,
    placeholder: 'https://entity.example.org'});
  const select = el('select', {id: 'explain-anchor', name: 'trust_anchor'},
    el('option', {value: ''}, 'any pinned anchor'),
    hosted.trust_anchors.map((id) => el('option', {value: id, selected: id === anchor}, id)));
  main.append(el('form', {class: 'stack', onsubmit: (event) => {
    event.preventDefault();
    location.hash = `#/explain?${new URLSearchParams({sub: input.value, trust_anchor: select.value})}`;
  }},
  el('label', {for: 'explain-sub'}, 'Entity identifier'), input,
  el('label', {for: 'explain-anchor'}, 'Trust anchor'), select,
  el('button', {type: 'submit'}, 'Explain')));
  if (!sub) {
    main.append(el('p', {}, 'Every path tried, each one\'s verdict and the rule that failed, and where each resolved metadata value came from.'));
    return;
  }
  const result = await data('explain', {sub, trust_anchor: anchor});
  const explain = result.explain;
  const summary = el('section', {id: 'verdict', 'aria-labelledby': 'verdict-title'});
  summary.append(el('h2', {id: 'verdict-title'}, 'Verdict'));
  if (result.verdict === 'valid') {
    summary.append(el('p', {}, verdict('valid'), ` under ${result.trust_anchor}, until ${time(result.exp)}.`));
  } else {
    summary.append(el('p', {}, verdict('invalid'), ' ', reason(result.error)));
  }
  main.append(summary);

  main.append(el('h2', {}, 'Paths tried'));
  main.append(table('Every candidate path, in the order tried', [
    {label: '#', cell: (c) => String(explain.candidates.indexOf(c) + 1)},
    {label: 'Path (subject first)', cell: (c) => el('ol', {class: 'path'}, c.path.map((hop) => el('li', {}, hop)))},
    {label: 'Trust anchor', cell: (c) => c.trust_anchor},
    {label: 'Verdict', cell: (c) => verdict(c.verdict)},
    {label: 'Rule and reason', cell: (c) => c.reason ? reason(c.reason) : `valid until ${time(c.exp)}`},
  ], explain.candidates, 'No path was found (see the problems below).'));

  main.append(el('h2', {}, 'Problems met'));
  main.append(table('Unreachable entities, ignored hints, budgets', [
    {label: 'Entity', cell: (p) => p.entity_id || ''},
    {label: 'Rule', cell: (p) => p.rule ? el('strong', {class: 'rule'}, p.rule) : p.code},
    {label: 'What', cell: (p) => p.error_description},
  ], explain.problems.concat(explain.alarms || [])));

  if (result.chain) {
    main.append(el('h2', {}, 'The chain'));
    main.append(table('Statements from the subject up to the anchor', [
      {label: 'Issuer', cell: (s) => s.iss},
      {label: 'Subject', cell: (s) => s.sub},
      {label: 'Expires', cell: (s) => time(s.exp)},
    ], result.chain));
    main.append(el('h2', {}, 'Where each metadata value came from'));
    main.append(table('Metadata policy applied, per parameter', [
      {label: 'Entity type', cell: (p) => p.entity_type},
      {label: 'Parameter', cell: (p) => p.parameter || ''},
      {label: 'Effect', cell: (p) => p.effect},
      {label: 'By', cell: (p) => p.by},
      {label: 'Statements', cell: (p) => p.statements.join(', ')},
      {label: 'Before', cell: (p) => p.before === undefined ? '' : JSON.stringify(p.before)},
      {label: 'After', cell: (p) => p.after === undefined ? '' : JSON.stringify(p.after)},
    ], explain.metadata_provenance || [], 'No policy changed any value.'));
    main.append(el('details', {}, el('summary', {}, 'Resolved metadata'), jsonBlock(result.metadata, 'Resolved metadata')));
  }
}

// ---- Expiry and health -----------------------------------------------------

function expiryTable(caption, items) {
  return table(caption, [
    {label: 'Time left', cell: (i) => left(i.seconds_left, i.renewed)},
    {label: 'Kind', cell: (i) => i.kind.replaceAll('_', ' ')},
    {label: 'Entity', cell: (i) => i.entity},
    {label: 'Item', cell: (i) => i.item},
    {label: 'File', cell: (i) => i.file ? el('code', {}, i.file) : ''},
    {label: 'Renewed by itself', cell: (i) => i.renewed ? 'yes' : 'no'},
    {label: 'Note', cell: (i) => i.note || ''},
  ], items);
}

export async function expiryView(main) {
  heading(main, 'Expiry');
  const expiry = await data('expiry');
  main.append(el('p', {}, 'Statements, keys, delegations and trust marks, soonest first. Items renewed by the server itself need attention only once expired; the others before.'));
  main.append(expiryTable('Everything that ends, by time left', expiry.items));
}

export async function healthView(main) {
  heading(main, 'Health');
  const health = await data('health');
  main.append(el('h2', {}, 'Not served as configured'));
  main.append(table('Items this server could not serve as configured (as /readyz lists them)', [
    {label: 'Entity', cell: (p) => p.entity || '(configuration)'},
    {label: 'Kind', cell: (p) => p.kind},
    {label: 'Item', cell: (p) => p.item},
    {label: 'File', cell: (p) => p.file || ''},
    {label: 'Serving', cell: (p) => p.serving},
    {label: 'Error', cell: (p) => p.error},
  ], health.problems, 'Every configured item is served.'));
  main.append(el('h2', {}, 'Crawler findings'));
  if (!health.crawler.available) {
    main.append(el('div', {class: 'empty-state', role: 'note'},
      el('p', {}, el('strong', {}, 'No crawl yet: '),
        'no hosted resolver has resolver.crawl, or its first crawl has not finished.'),
      el('p', {}, 'Findings about the wider federation (docs/crawler.md) appear here once a crawl has finished. ' +
        'Nothing is shown in their place.')));
    return;
  }
  main.append(table('Latest crawls', [
    {label: 'Resolver', cell: (c) => c.crawler},
    {label: 'Trust anchor', cell: (c) => c.trust_anchor},
    {label: 'Finished', cell: (c) => new Date(c.finished_at * 1000).toISOString()},
    {label: 'Crawled here', cell: (c) => (c.leader ? 'yes (leader)' : 'no (follows the leader)')},
    {label: 'Entities', cell: (c) => (c.counts ? c.counts.valid + ' valid of ' + c.counts.entities : '')},
  ], health.crawler.crawls));
  main.append(table('Findings of the crawler, by entity', [
    {label: 'Severity', cell: (f) => f.severity},
    {label: 'Kind', cell: (f) => f.kind},
    {label: 'Entity', cell: (f) => f.entity_id},
    {label: 'Related', cell: (f) => f.related || ''},
    {label: 'Finding', cell: (f) => f.message},
    {label: 'Expires', cell: (f) => (f.expires_at ? new Date(f.expires_at * 1000).toISOString() : '')},
  ], health.crawler.findings, 'No findings: every entity crawled is healthy.'));
}
