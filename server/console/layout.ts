/**
 * The one layout every console page shares: a skip link, a banner with the navigation
 * (`aria-current` marks the page you are on) and who is signed in, the page's `<main>` with
 * its one `<h1>`, and a footer. Styles and scripts are the package's own files under
 * /console/assets/ (assets.ts): nothing is loaded from elsewhere, and the CSP says so.
 */
import type { AdminPrincipal } from '../admin-tokens.js';
import { html, type Html } from './html.js';

/** Where the console lives on the operator listener. */
export const CONSOLE_PREFIX = '/console';

/** The pages in the navigation, in order: path under /console and label. */
export const NAV: ReadonlyArray<{ path: string; label: string }> = [
  { path: '/', label: 'Overview' },
  { path: '/landing', label: 'Landing' },
  { path: '/dead-letters', label: 'Dead letters' },
  { path: '/models', label: 'Models' },
  { path: '/syncs', label: 'Syncs' },
  { path: '/pulls', label: 'Pulls' },
  { path: '/reconciliation', label: 'Reconciliation' },
  { path: '/drift', label: 'Schema drift' },
  { path: '/alerts', label: 'Alerts' },
];

export interface PageOptions {
  /** The `<h1>` and the start of `<title>`. */
  title: string;
  /** Which NAV entry is current, e.g. `/syncs`; null for none (the login page). */
  current: string | null;
  /** Who is signed in; null on the login page (no navigation then). */
  principal: AdminPrincipal | null;
  body: Html;
  /** Whether the page draws charts (loads uPlot). */
  charts?: boolean;
  /** A line under the heading, e.g. the time the data was read. */
  lead?: Html | string;
}

export function page(options: PageOptions): Html {
  const { title, current, principal, body } = options;
  const charts = options.charts === true;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Switchboard console</title>
<link rel="icon" href="data:,">
${charts ? html`<link rel="stylesheet" href="${CONSOLE_PREFIX}/assets/uplot.css">` : ''}
<link rel="stylesheet" href="${CONSOLE_PREFIX}/assets/console.css">
${charts ? html`<script src="${CONSOLE_PREFIX}/assets/uplot.js" defer></script>` : ''}
<script src="${CONSOLE_PREFIX}/assets/console.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="banner">
  <p class="brand"><a href="${CONSOLE_PREFIX}/">Switchboard</a> <span class="muted">console</span></p>
  ${principal === null ? '' : navigation(current)}
  ${principal === null ? '' : signedIn(principal)}
</header>
<main id="main" tabindex="-1">
  <h1>${title}</h1>
  ${options.lead === undefined ? '' : html`<p class="lead">${options.lead}</p>`}
  ${body}
</main>
<footer class="footer"><p>Switchboard operator console · data read from this server and its warehouse when the page loaded</p></footer>
</body>
</html>
`;
}

function navigation(current: string | null): Html {
  const items = NAV.map(
    (entry) =>
      html`<li><a href="${CONSOLE_PREFIX}${entry.path}"${entry.path === current ? html` aria-current="page"` : ''}>${entry.label}</a></li>`,
  );
  return html`<nav aria-label="Console pages"><ul class="nav">${items}</ul></nav>`;
}

function signedIn(principal: AdminPrincipal): Html {
  return html`<form class="session" method="post" action="${CONSOLE_PREFIX}/logout">
    <span>Signed in with token <strong>${principal.id}</strong> (role ${principal.role})</span>
    <button type="submit">Log out</button>
  </form>`;
}

/** A section with a heading (its own landmark: `<section aria-labelledby>`). */
export function section(id: string, heading: string, body: Html, intro?: Html | string): Html {
  return html`<section aria-labelledby="${id}-h" class="card">
  <h2 id="${id}-h">${heading}</h2>
  ${intro === undefined ? '' : html`<p class="muted">${intro}</p>`}
  ${body}
</section>`;
}

/** What a page says when its data does not exist (yet): nothing recorded, a table not there. */
export function emptyState(message: Html | string): Html {
  return html`<p class="empty" role="status">${message}</p>`;
}

/** A message after an action, e.g. a replay's outcome. */
export function notice(kind: 'info' | 'error', message: Html | string): Html {
  return html`<div class="notice notice-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</div>`;
}

/**
 * A table with a caption (its accessible name); `head` are the column names, `rows` the cells.
 * Numeric columns (`numeric[i]`) align right.
 */
export function table(caption: string, head: readonly string[], rows: ReadonlyArray<ReadonlyArray<Html | string | number>>, numeric: readonly boolean[] = []): Html {
  const th = head.map((h, i) => html`<th scope="col"${numeric[i] === true ? html` class="num"` : ''}>${h}</th>`);
  const body = rows.map((row) => html`<tr>${row.map((cell, i) => html`<td${numeric[i] === true ? html` class="num"` : ''}>${cell}</td>`)}</tr>`);
  return html`<div class="table-wrap"><table><caption>${caption}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}
