import { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { localUrl } from '../local-url.js';
import { adminHeaders, adminRefusal } from '../admin-client.js';
import type { Config } from '../../core/config.js';
import type { ReadResult } from '../../ingest/read-query.js';
import { readQuery } from '../../ingest/read-query.js';
import { openWarehouse, warehouseConfigOf } from '../../sql/warehouses/index.js';
import type { SqlValue } from '../../sql/warehouse.js';
import { SYNC_SCHEMA } from '../../sync/state.js';

export function sqlCommand(): Command {
  return new Command('sql')
    .description('Query the warehouse: through the running server when there is one (it holds the DuckDB file), else directly.')
    .argument('<query>', 'one SQL query, e.g. "SELECT event_type, count(*) FROM raw.meetings_events GROUP BY 1"')
    .option('-c, --config <file>', 'config file (for the warehouse and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .option('--format <format>', 'table, json or csv', 'table')
    .option('--max-rows <n>', 'at most this many rows (default 10000)', (v) => Number.parseInt(v, 10))
    .addHelpText(
      'after',
      `
Queries are read-only by construction: one SELECT, no file or network access, no lasting
setting, a row cap (--max-rows) and a timeout (admin.sqlTimeoutMs). On Postgres they run as the
role switchboard_sql_reader, which may only read the raw, models and sync-state schemas. A write
(DELETE, UPDATE, INSERT, CREATE, DROP, …) is refused before it runs: SB_SQL_NOT_READ_ONLY, exit
status 1. Writes belong in models (switchboard build).

Examples:
  switchboard sql "SELECT family, event_type, count(*) AS n FROM raw.messaging_events GROUP BY 1, 2"
  switchboard sql "SELECT error_code, count(*) FROM raw.rejections GROUP BY 1" --format csv`,
    )
    .action(async (query: string, options: { config?: string; adminUrl?: string; format: string; maxRows?: number }) => {
      if (!['table', 'json', 'csv'].includes(options.format)) {
        throw new SwitchboardError('SB_CLI_BAD_OPTION', `--format must be table, json or csv, not "${options.format}".`);
      }
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const { admin } = config.file;
      const base = options.adminUrl ?? localUrl(admin);
      const result = (await viaServer(config, base, query, options.maxRows)) ?? (await direct(config, query, options.maxRows));
      process.stdout.write(render(result, options.format));
      if (result.truncated) process.stderr.write(`(only the first ${result.rows.length} rows; raise --max-rows)\n`);
    });
}

/** null when no server answers (then the warehouse is free to open directly). */
async function viaServer(config: Config, base: string, query: string, maxRows: number | undefined): Promise<ReadResult | null> {
  let response: Response;
  try {
    response = await fetch(new URL('/sql', base), {
      method: 'POST',
      headers: adminHeaders(config, true),
      body: JSON.stringify({ query, ...(maxRows === undefined ? {} : { maxRows }) }),
      signal: AbortSignal.timeout(600_000),
    });
  } catch {
    return null;
  }
  const body = (await response.json()) as ReadResult & { error?: { code: string; message: string } };
  if (!response.ok) throw adminRefusal(config, response.status, body, `HTTP ${response.status}`);
  return body;
}

async function direct(config: Config, query: string, maxRows: number | undefined): Promise<ReadResult> {
  const { warehouse: settings, models, admin } = config.file;
  const wh = await openWarehouse(warehouseConfigOf(settings, process.cwd()));
  try {
    return await readQuery(wh, query, { maxRows, timeoutMs: admin.sqlTimeoutMs, schemas: [settings.rawSchema, models.schema, SYNC_SCHEMA] });
  } catch (error) {
    if (error instanceof SwitchboardError) throw error;
    throw new SwitchboardError('SB_ADMIN_QUERY_FAILED', (error as Error).message);
  } finally {
    await wh.close();
  }
}

function render(result: ReadResult, format: string): string {
  const text = (v: SqlValue): string => (v === null ? '' : String(v));
  if (format === 'json') return `${JSON.stringify(result.rows, null, 2)}\n`;
  if (format === 'csv') {
    const cell = (v: SqlValue) => (/[",\n]/.test(text(v)) ? `"${text(v).replaceAll('"', '""')}"` : text(v));
    return [result.columns.join(','), ...result.rows.map((r) => result.columns.map((c) => cell(r[c] ?? null)).join(','))].join('\n') + '\n';
  }
  if (result.rows.length === 0) return '(no rows)\n';
  const widths = result.columns.map((c) => Math.min(60, Math.max(c.length, ...result.rows.map((r) => text(r[c] ?? null).length))));
  const line = (cells: string[]) => cells.map((v, i) => (v.length > (widths[i] ?? 0) ? `${v.slice(0, (widths[i] ?? 1) - 1)}…` : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [
    line(result.columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...result.rows.map((r) => line(result.columns.map((c) => text(r[c] ?? null)))),
    `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`,
  ].join('\n') + '\n';
}
