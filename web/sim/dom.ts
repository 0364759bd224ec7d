// A small helper to build DOM elements in code, text always as text (never parsed as HTML), so a
// scenario's names and notes cannot inject markup into the page.

type Child = Node | string | number | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
  return node;
}

/** The element with this id (the page's fixed structure, index.html); throws if the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}

/** Replaces an element's children. */
export function fill(parent: Element, children: Node[]): void {
  parent.replaceChildren(...children);
}
