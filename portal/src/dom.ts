/** Tiny DOM helpers: every text goes through textContent, never innerHTML. */

type Child = Node | string | null | undefined | false;

/** Creates an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c) el.append(c);
  return el;
}

/** A definition list from label/value pairs. */
export function definitions(rows: [string, Child][]): HTMLDListElement {
  const dl = h('dl');
  for (const [k, v] of rows) dl.append(h('dt', {}, k), h('dd', {}, v ?? '—'));
  return dl;
}
