/**
 * A small chart: a `<figure>` whose caption names it, a canvas drawn by uPlot (assets/console.js
 * reads the data block next to it), and the same numbers as a table for screen readers and
 * for anyone without scripts (a `<details>` to open). Series are told apart by dash pattern as
 * well as colour.
 */
import { html, jsonScript, type Html } from './html.js';
import { emptyState } from './layout.js';
import type { Series } from './reads/signals.js';

export interface ChartOptions {
  /** Unique on the page, e.g. `throughput`. */
  id: string;
  title: string;
  /** What the y axis counts, e.g. `events` or `ms`. */
  unit: string;
  /** Bucket starts in epoch seconds (the x axis). */
  times: readonly number[];
  series: readonly Series[];
  /** `time` (default) for a time axis; `run` for one point per run (x still a time). */
  kind?: 'time' | 'run';
}

export function chart(options: ChartOptions): Html {
  const { id, title, unit, times, series } = options;
  if (series.every((s) => s.values.every((v) => v === null))) {
    return html`<div class="chart-none"><p class="chart-title">${title}</p>${emptyState('No data in this window.')}</div>`;
  }
  const data = { unit, kind: options.kind ?? 'time', x: times, series: series.map((s) => ({ label: s.label, values: s.values })) };
  const totals = series.map((s) => s.values.reduce<number>((sum, v) => sum + (v ?? 0), 0));
  const summary = series.length === 0 ? 'no data' : series.map((s, i) => `${s.label}: ${summarize(s.values, unit, totals[i] ?? 0)}`).join('; ');
  return html`<figure class="chart" data-chart="${id}-data">
  <figcaption id="${id}-caption">${title}</figcaption>
  <div class="plot" role="img" aria-labelledby="${id}-caption" aria-describedby="${id}-summary"></div>
  <p id="${id}-summary" class="visually-hidden">${summary}</p>
  ${jsonScript(`${id}-data`, data)}
  <details class="chart-data"><summary>Data as a table</summary>${dataTable(title, unit, times, series)}</details>
</figure>`;
}

/** For the description: a total for counts, the highest value for anything else. */
function summarize(values: ReadonlyArray<number | null>, unit: string, total: number): string {
  if (unit === 'events' || unit === 'runs') return `${Math.round(total)} ${unit} in all`;
  const numbers = values.filter((v): v is number => v !== null);
  return numbers.length === 0 ? 'no data' : `highest ${Math.round(Math.max(...numbers))} ${unit}`;
}

/** Rows only where some series has a value (a quiet window is a short table). */
function dataTable(title: string, unit: string, times: readonly number[], series: readonly Series[]): Html {
  const rows = times
    .map((t, i) => ({ t, cells: series.map((s) => s.values[i] ?? null) }))
    .filter((row) => row.cells.some((v) => v !== null && v !== 0));
  if (rows.length === 0) return html`<p class="muted">No data in this window.</p>`;
  return html`<table class="compact"><caption>${title} (${unit})</caption>
<thead><tr><th scope="col">time (UTC)</th>${series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}</tr></thead>
<tbody>${rows.map(
    (row) => html`<tr><td>${new Date(row.t * 1000).toISOString().slice(0, 16).replace('T', ' ')}</td>${row.cells.map((v) => html`<td class="num">${v === null ? '-' : Math.round(v * 100) / 100}</td>`)}</tr>`,
  )}</tbody></table>`;
}
