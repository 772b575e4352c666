// Tiny DOM helpers: elements are built with text nodes only (no innerHTML), so report data can never
// become markup, and nothing needs an inline style or script (the CSP forbids both).

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined>;

/** An HTML element with attributes (false/null/undefined are left out; true is the empty string) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element (presentation attributes only: no style attribute). */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'style') throw new Error('inline styles are not allowed (CSP); use a class');
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
      typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child,
    );
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** A table with a caption, column headers (scope=col) and rows; numeric columns are right-aligned. */
export function table<R>(
  caption: string,
  columns: Array<{ header: string; cell: (row: R) => Child; numeric?: boolean; rowHeader?: boolean }>,
  rows: readonly R[],
  options: { rowClass?: (row: R) => string | undefined; id?: string; className?: string } = {},
): HTMLTableElement {
  const thead = h(
    'thead',
    {},
    h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.header))),
  );
  const tbody = h('tbody');
  for (const row of rows) {
    const tr = h('tr', { class: options.rowClass?.(row) });
    for (const c of columns) {
      const cls = c.numeric ? 'num' : undefined;
      tr.appendChild(
        c.rowHeader ? h('th', { scope: 'row', class: cls }, c.cell(row)) : h('td', { class: cls }, c.cell(row)),
      );
    }
    tbody.appendChild(tr);
  }
  if (rows.length === 0) {
    tbody.appendChild(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, 'Nothing in this period.')));
  }
  return h('table', { id: options.id, class: options.className ?? 'data' }, h('caption', {}, caption), thead, tbody);
}

/**
 * A box that scrolls its wide content (a table, the timeline) sideways instead of widening the page. While
 * the content overflows, the box is a labelled region in the tab order, so that it can be scrolled with the
 * keyboard even when nothing inside it takes focus (WCAG 2.1.1; axe's scrollable-region-focusable); while
 * everything fits it is a plain box and no extra tab stop.
 */
export function scrollBox(className: string, label: string, ...children: Child[]): HTMLDivElement {
  const box = h('div', { class: className }, ...children);
  const update = (): void => {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', label);
    } else {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
    }
  };
  // The box's own size changes with the window; its content's when it is replaced or grows (more rows).
  const resized = new ResizeObserver(update);
  resized.observe(box);
  const observeChildren = (): void => {
    for (const child of box.children) resized.observe(child);
    update();
  };
  new MutationObserver(observeChildren).observe(box, { childList: true });
  observeChildren();
  return box;
}
