/** Tiny DOM and SVG builders: the page draws with real elements, no framework. */
export type Child = Node | string | number | null | undefined | false | Child[];
export type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

function apply(el: Element, attrs: Attrs): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function nodes(children: Child[]): Node[] {
  const out: Node[] = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) out.push(...nodes(child));
    else out.push(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return out;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs);
  el.append(...nodes(children));
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el: SVGElement = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  el.append(...nodes(children));
  return el;
}

export function put(el: Element, ...children: Child[]): void {
  el.replaceChildren(...nodes(children));
}

/** Arrowhead markers shared by the drawings (ids are per drawing, so two SVGs on a page do not clash). */
export function arrowDefs(prefix: string): SVGElement {
  const marker = (id: string, cls: string) =>
    s(
      'marker',
      {
        id: `${prefix}-${id}`,
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerUnits: 'userSpaceOnUse',
        markerWidth: 9,
        markerHeight: 9,
        orient: 'auto-start-reverse',
      },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }),
    );
  return s('defs', {}, marker('arrow', 'head'), marker('arrow-comp', 'head comp'), marker('arrow-event', 'head event'));
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function ms(value: number): string {
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
}

/** A form's submit handler: no page load, and the async work's errors stay inside it. */
export function submit(handler: () => Promise<void> | void): (event: Event) => void {
  return (event: Event) => {
    event.preventDefault();
    void Promise.resolve(handler());
  };
}
