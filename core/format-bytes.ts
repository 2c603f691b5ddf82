/**
 * A byte count for people, in binary units with one decimal: `0 B`, `2.0 KiB`, `1.2 GiB`.
 * Used wherever Switchboard prints a size (status' spool backlog, a dry run's estimate).
 * @example formatBytes(1288490188) // '1.2 GiB'
 */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
