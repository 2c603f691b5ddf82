/**
 * How the console writes times, durations and counts: the same words on every page, and a
 * `<time>` element whose `datetime` a screen reader or a script can read exactly.
 */
import { html, type Html } from './html.js';

/** `2026-11-27 09:15:27Z`, from an ISO time; `-` for none. */
export function utc(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `12 s`, `4 min`, `3 h`, `2 d`: a span of seconds, rounded down to its largest unit. */
export function span(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** A time with how long ago it was: `<time datetime="…">2026-11-27 09:15:27Z</time> (12 s ago)`. */
export function when(iso: string | null | undefined, now: Date): Html {
  if (iso === null || iso === undefined || iso === '') return html`<span class="muted">never</span>`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return html`${iso}`;
  const delta = (now.getTime() - ms) / 1000;
  const relative = delta >= 0 ? `${span(delta)} ago` : `in ${span(-delta)}`;
  // Date and time each stay whole; a narrow column breaks between them, not inside the date.
  const [day, clock] = utc(iso).split(' ');
  return html`<time datetime="${new Date(ms).toISOString()}"><span class="whole">${day}</span> <span class="whole">${clock}</span></time> <span class="muted whole">(${relative})</span>`;
}

/** A duration in seconds as people read it: `0.42 s`, `12.3 s`, `4 min 05 s`. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${String(Math.round(seconds - m * 60)).padStart(2, '0')} s`;
}

/** `1,234,567`: a count with thousands separators (fixed locale, so tests and screenshots agree). */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return Math.round(n).toLocaleString('en-US');
}

/** `12.5 %` of a ratio in 0..1; `-` when there is nothing to divide. */
export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '-';
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.001 ? 3 : 1)} %`;
}

/** A health word with its class: the word carries the meaning, the colour only repeats it. */
export type Health = 'ok' | 'warn' | 'bad' | 'idle';

export function badge(health: Health, label: string): Html {
  return html`<span class="badge badge-${health}">${label}</span>`;
}
