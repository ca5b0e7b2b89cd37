/**
 * Small DOM builders. Styles are set only through CSS classes or the CSSOM (`el.style.x`),
 * never through style attributes, so the panel works under a CSP without 'unsafe-inline'.
 */
type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  className?: string;
  text?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  children?: Child[];
}

function applyOptions(el: Element, options: ElementOptions): void {
  if (options.className) el.setAttribute('class', options.className);
  if (options.text !== undefined) el.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of options.children ?? []) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyOptions(el, options);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, options: ElementOptions = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  applyOptions(el, options);
  return el;
}

/** Replaces all children of `el`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}
