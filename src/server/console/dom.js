// DOM helpers of the console. Federation data is only ever put into the
// page as text nodes (textContent) or attribute values set through the DOM:
// never as HTML, so that nothing a federation member publishes can run here.

/** An element: el('td', {class: 'x'}, 'text', childNode, ...). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children: strings and numbers as text, arrays flattened. */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** A table: columns [{label, cell: row => node|string}], rows. */
export function table(caption, columns, rows, empty = 'None.') {
  if (rows.length === 0) return el('p', {class: 'empty'}, empty);
  return el('div', {class: 'scroll'},
    el('table', {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, columns.map((c) => el('th', {scope: 'col'}, c.label)))),
      el('tbody', {}, rows.map((row) => el('tr', {}, columns.map((c) => el('td', {}, c.cell(row))))))));
}

/** Pretty JSON as text in a <pre>. */
export function jsonBlock(value, label) {
  return el('pre', {class: 'json', tabindex: 0, 'aria-label': label}, JSON.stringify(value, null, 2));
}

export function time(seconds) {
  if (seconds === undefined || seconds === null) return '—';
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** "3 d 4 h", "5 h 2 m", "expired 2 h ago"; null: "at risk now". */
export function timeLeft(seconds) {
  if (seconds === undefined || seconds === null) return 'at risk now';
  const s = Math.floor(Math.abs(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const text = d ? `${d} d ${h} h` : h ? `${h} h ${m} m` : m ? `${m} m ${s % 60} s` : `${s} s`;
  return seconds < 0 ? `expired ${text} ago` : text;
}

/**
 * The urgency class of a time left: expired, soon (< 1 day), week, ok. What
 * the server renews by itself (`renewed`) is urgent only once expired.
 */
export function urgency(seconds, renewed = false) {
  if (seconds === undefined || seconds === null || seconds <= 0) return 'expired';
  if (renewed) return 'ok';
  if (seconds < 86400) return 'soon';
  if (seconds < 7 * 86400) return 'week';
  return 'ok';
}

/** A status badge: text, with a class for its colour (never the only cue). */
export function badge(text, kind) {
  return el('span', {class: `badge badge-${kind}`}, text);
}

/** A link to another view of the console. */
export function viewLink(text, view, params = {}) {
  const query = new URLSearchParams(params).toString();
  return el('a', {href: `#/${view}${query ? '?' + query : ''}`}, text);
}

/** A message in a status region (role=status or alert). */
export function message(text, kind = 'info') {
  return el('p', {class: `message message-${kind}`, role: kind === 'error' ? 'alert' : 'status'}, text);
}
