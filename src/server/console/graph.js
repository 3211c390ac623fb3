// The federation drawn as SVG, layered by depth below the trust anchor
// (anchor on top, each subordinate under its superior), without any
// library: nodes are links to the entity's page (keyboard-focusable), edges
// subordinate -> superior carry the statement's expiry. Every label is a
// text node.

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 210;
const NODE_H = 54;
const GAP_X = 28;
const LAYER_H = 130;
const MARGIN = 24;

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Shortens a label to fit a node. */
function fit(text, max) {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/**
 * nodes: [{id, depth, title, subtitle, status: 'valid'|'invalid'|'blocked', href}]
 * edges: [{from, to, label, status}] (from: the subordinate, to: its superior)
 * Returns an <svg> element.
 */
export function drawGraph(nodes, edges, label) {
  const layers = new Map();
  for (const node of nodes) {
    if (!layers.has(node.depth)) layers.set(node.depth, []);
    layers.get(node.depth).push(node);
  }
  const depths = [...layers.keys()].sort((a, b) => a - b);
  const widest = Math.max(1, ...depths.map((d) => layers.get(d).length));
  const width = MARGIN * 2 + widest * NODE_W + (widest - 1) * GAP_X;
  const height = MARGIN * 2 + (depths.length - 1) * LAYER_H + NODE_H;
  const position = new Map();
  depths.forEach((depth, row) => {
    const layer = layers.get(depth);
    const layerWidth = layer.length * NODE_W + (layer.length - 1) * GAP_X;
    const left = (width - layerWidth) / 2;
    layer.forEach((node, i) => {
      position.set(node.id, {x: left + i * (NODE_W + GAP_X), y: MARGIN + row * LAYER_H});
    });
  });

  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'group',
    'aria-label': label,
    class: 'graph',
  });
  const defs = svg('defs');
  const marker = svg('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto'});
  marker.append(svg('path', {d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead'}));
  defs.append(marker);
  root.append(defs);

  for (const edge of edges) {
    const from = position.get(edge.from);
    const to = position.get(edge.to);
    if (!from || !to) continue;
    const x1 = from.x + NODE_W / 2;
    const y1 = from.y;
    const x2 = to.x + NODE_W / 2;
    const y2 = to.y + NODE_H;
    const group = svg('g', {class: `edge edge-${edge.status}`});
    group.append(svg('title', {}, `${edge.to} about ${edge.from}: ${edge.label}`));
    group.append(svg('line', {x1, y1, x2, y2, 'marker-end': 'url(#arrow)'}));
    // Near the subordinate's end, where the edges of one superior are
    // still apart.
    group.append(svg('text', {x: x1 + (x2 - x1) * 0.3, y: y1 + (y2 - y1) * 0.3, class: 'edge-label',
      'text-anchor': 'middle'}, edge.label));
    root.append(group);
  }

  for (const node of nodes) {
    const at = position.get(node.id);
    const link = svg('a', {href: node.href, class: `node node-${node.status}`});
    link.append(svg('title', {}, `${node.id}: ${node.subtitle}`));
    link.append(svg('rect', {x: at.x, y: at.y, width: NODE_W, height: NODE_H, rx: 6}));
    link.append(svg('text', {x: at.x + 10, y: at.y + 21, class: 'node-title'}, fit(node.title, 30)));
    link.append(svg('text', {x: at.x + 10, y: at.y + 41, class: 'node-subtitle'}, fit(node.subtitle, 32)));
    root.append(link);
  }
  return root;
}
