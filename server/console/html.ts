/**
 * HTML for the console, escaped by construction: {@link html} is a tagged template whose
 * interpolated values are escaped unless they are already {@link Html} (the output of another
 * `html` template). So a family name, a rejection reason or a sync error sent by a stranger
 * is text on the page, never markup.
 *
 * @example html`<td>${row.reason}</td>` // `<script>` in reason renders as &lt;script&gt;
 */

/** Markup that is safe to insert as is: built by {@link html} (or {@link trusted} for constants). */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/**
 * Renders one interpolated value: Html as is, arrays item by item, null/undefined/false as
 * nothing, anything else as escaped text.
 */
function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** The tag: every `${value}` is escaped unless it is Html. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Markup written in this codebase (a constant), never data. */
export function trusted(text: string): Html {
  return new Html(text);
}

/**
 * A JSON data block for the page's script (charts read it): `<script type="application/json">`
 * is never executed, and `<` is written as `\u003c` so no value can close the element.
 */
export function jsonScript(id: string, value: unknown): Html {
  const json = JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return html`<script type="application/json" id="${id}">${trusted(json)}</script>`;
}

/** A query string from `params` (undefined values left out), escaped for a URL. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
