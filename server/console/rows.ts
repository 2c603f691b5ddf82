/**
 * Reading the rows the JSON routes answer: /alerts and /drift name the fields as their tables
 * do (`first_fired_at`), /dlq in camelCase (`firstAt`), so {@link pick} accepts either.
 */

export type Row = Record<string, unknown>;

/** The field `snake` (or its camelCase spelling) of `row`, as text; null when absent or null. */
export function pick(row: Row, snake: string): string | null {
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const value = row[snake] ?? row[camel];
  if (value === null || value === undefined) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The field as a number (0 when absent). */
export function pickNumber(row: Row, snake: string): number {
  const value = Number(pick(row, snake) ?? 0);
  return Number.isFinite(value) ? value : 0;
}

/** The array under `key` of a route's answer, e.g. `{ alerts: [...] }` → the rows; [] when not an array. */
export function rowsOf(body: unknown, key: string): Row[] {
  const value = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(value) ? value.filter((r): r is Row => typeof r === 'object' && r !== null) : [];
}
