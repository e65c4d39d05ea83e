/**
 * Tiny DOM helpers shared by the banner and the widget.
 *
 * @example
 * h('button', { class: 'pt-btn', type: 'button' }, 'OK');
 */
export function h(
  tag: string,
  attrs: Record<string, string | false | undefined> = {},
  ...children: (Node | string | false | undefined)[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) el.setAttribute(k, v);
  for (const c of children) if (c !== undefined && c !== false) el.append(c);
  return el;
}

let uid = 0;
/**
 * A document-unique id with a prefix.
 *
 * @example
 * nextId('pt-pop'); // 'pt-pop-3'
 */
export const nextId = (prefix: string): string => `${prefix}-${++uid}`;

const CSS = `.pt-banner{position:fixed;left:0;right:0;bottom:0;z-index:2147483000;box-sizing:border-box;max-height:90vh;overflow:auto;background:#fff;color:#1a1a1a;border-top:2px solid #1a1a1a;padding:16px;font:16px/1.45 system-ui,sans-serif;box-shadow:0 -4px 16px #0003}
.pt-banner h2{font-size:1.15em;margin:0 0 6px}.pt-banner p{margin:0 0 10px}
.pt-row{display:flex;gap:12px;flex-wrap:wrap;align-items:center}
.pt-btn{flex:1 1 10em;min-height:44px;padding:10px 16px;font:inherit;font-weight:600;border:2px solid #1a1a1a;border-radius:6px;background:#1a1a1a;color:#fff;cursor:pointer}
.pt-link{background:none;border:0;padding:8px 0;font:inherit;color:#0b4db3;text-decoration:underline;cursor:pointer}
.pt-banner a,.pt-pop a{color:#0b4db3}
.pt-banner :focus-visible,.pt-widget :focus-visible{outline:3px solid #f5a300;outline-offset:2px}
.pt-banner fieldset{border:1px solid #888;border-radius:6px;margin:8px 0;padding:8px 12px}
.pt-banner label{display:flex;gap:10px;align-items:flex-start;margin:8px 0}.pt-banner input{width:22px;height:22px;flex:none;margin:2px 0}
.pt-banner small,.pt-pop small{display:block;color:#444}
.pt-widget{font:16px/1.45 system-ui,sans-serif}.pt-widget h2{font-size:1.2em}
.pt-list{list-style:none;margin:0;padding:0;display:grid;gap:12px;align-items:start;grid-template-columns:repeat(auto-fill,minmax(160px,1fr))}
.pt-item{border:1px solid #ccc;border-radius:8px;padding:12px;position:relative}
.pt-item a{font-weight:600}.pt-item .pt-row{gap:6px;margin-top:6px}.pt-why{padding:6px 10px;min-height:36px;font:inherit;border:1px solid #555;border-radius:6px;background:#fff;cursor:pointer}
.pt-pop{position:absolute;z-index:10;left:0;top:100%;width:min(300px,90vw);box-sizing:border-box;margin-top:4px;padding:10px 12px;border:1px solid #555;border-radius:6px;background:#fffbe6;color:#1a1a1a;font-size:.95em;box-shadow:0 4px 12px #0003}.pt-pop.pt-flip{left:auto;right:0}
.pt-note{margin:8px 0 0}.pt-widget h2:focus{outline:none}.pt-pop ul{margin:4px 0 6px;padding-left:18px}.pt-pop .pt-row{gap:4px 16px;margin-top:4px}
@media (prefers-color-scheme:dark){.pt-banner{background:#1d1d1f;color:#f2f2f2;border-color:#f2f2f2}.pt-btn{background:#f2f2f2;color:#1a1a1a;border-color:#f2f2f2}.pt-banner a,.pt-link{color:#8ab4ff}.pt-banner small{color:#ccc}}`;

/**
 * Adds the SDK's stylesheet once; every class starts with `pt-` so the shop's styles are left alone.
 *
 * @example
 * injectStyles(); injectStyles(); // one <style id="pt-css"> in the head
 */
export function injectStyles(): void {
  if (document.getElementById('pt-css')) return;
  document.head.append(h('style', { id: 'pt-css' }, CSS));
}
