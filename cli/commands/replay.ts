import { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { localUrl } from '../local-url.js';
import { adminHeaders, adminRefusal } from '../admin-client.js';
import type { Config } from '../../core/config.js';
import type { RejectionSummary, ReplayOutcome } from '../../ingest/replay.js';
import type { QuarantineSummary } from '../../ingest/quarantine.js';

interface ReplayOptions {
  config?: string;
  adminUrl?: string;
  list?: boolean;
  family?: string;
  code?: string;
  since?: string;
  limit?: number;
  all?: boolean;
  trust?: boolean;
  dryRun?: boolean;
  includeReplayed?: boolean;
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('List recorded rejections, or send them through the landing pipeline again once their cause is fixed.')
    .argument('[ids...]', 'rejection ids (the rejection_id column; also the request id in logs)')
    .option('-c, --config <file>', 'config file, to find the operator API (admin.host, admin.port)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .option('--list', 'list rejections instead of replaying them')
    .option('--family <family>', 'only this family: messaging, voice, contact-center, meetings')
    .option('--code <code>', 'only this error code, e.g. SB_INGEST_SIGNATURE_INVALID')
    .option('--since <time>', 'only rejections received at or after this ISO time')
    .option('--limit <n>', 'at most this many (default 100)', (v) => Number.parseInt(v, 10))
    .option('--all', 'replay every rejection not yet replayed (needed when no id or filter is given)')
    .option('--trust', 'land without re-checking credentials (they are never stored); you vouch for the source')
    .option('--dry-run', 'verify and classify, but land nothing')
    .option('--include-replayed', 'also select rejections that were already replayed')
    .addHelpText(
      'after',
      `
Replays re-verify each stored request with the current config, as of when it arrived.
Run against a running \`switchboard serve\` (it holds the warehouse).
\`switchboard dlq\` lists these together with the rows sync destinations refused and the pull
pages that failed, and replays any of them by filter.

Examples:
  switchboard replay --list --code SB_INGEST_SIGNATURE_INVALID
  switchboard replay --family meetings --since 2026-11-27T00:00:00Z --dry-run
  switchboard replay 3f1c2a9e-5b7d-4e8a-9c21-0d6e4b8f7a10
  switchboard replay --family voice --code SB_INGEST_AUTH_INVALID --trust`,
    )
    .action(async (ids: string[], options: ReplayOptions) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const base = options.adminUrl ?? localUrl(config.file.admin);
      const filter = {
        ...(ids.length > 0 ? { ids } : {}),
        ...(options.family !== undefined ? { family: options.family } : {}),
        ...(options.code !== undefined ? { code: options.code } : {}),
        ...(options.since !== undefined ? { since: new Date(options.since).toISOString() } : {}),
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        ...(options.includeReplayed === true ? { includeReplayed: true } : {}),
      };
      if (options.list === true) {
        const query = new URLSearchParams(Object.entries(filter).filter(([k]) => k !== 'ids').map(([k, v]): [string, string] => [k, String(v)]));
        const { rejections, quarantined = [] } = (await call(config, base, `/rejections?${query}`)) as { rejections: RejectionSummary[]; quarantined?: QuarantineSummary[] };
        printRejections(rejections);
        printQuarantined(quarantined);
        return;
      }
      if (Object.keys(filter).length === 0 && options.all !== true) {
        throw new SwitchboardError('SB_CLI_REPLAY_UNSCOPED', 'Name rejection ids or a filter (--family, --code, --since), or pass --all to replay every rejection.');
      }
      const { outcomes } = (await call(config, base, '/rejections/replay', {
        ...filter,
        ...(options.trust === true ? { trust: true } : {}),
        ...(options.dryRun === true ? { dryRun: true } : {}),
      })) as { outcomes: ReplayOutcome[] };
      for (const o of outcomes) {
        const detail = o.outcome === 'landed' ? (o.dedupeKey ?? '') : `${o.code ?? ''} ${o.message ?? ''}`.trim();
        process.stdout.write(`${o.rejectionId}  ${o.outcome.padEnd(8)}  ${detail}\n`);
      }
      const count = (kind: string) => outcomes.filter((o) => o.outcome === kind).length;
      process.stdout.write(
        `${options.dryRun === true ? '(dry run) ' : ''}${count('landed')} landed, ${count('rejected')} rejected again, ${count('skipped')} skipped\n`,
      );
      if (count('rejected') > 0) process.exitCode = 1;
    });
}

async function call(config: Config, base: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method: body === undefined ? 'GET' : 'POST',
      headers: adminHeaders(config, body !== undefined),
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new SwitchboardError(
      'SB_CLI_UNREACHABLE',
      `No operator API answers at ${base} (${(error as Error).message}). Is \`switchboard serve\` running with admin.enabled? Check admin.host and admin.port.`,
    );
  }
  const json = (await response.json()) as { error?: { code: string; message: string } };
  if (!response.ok) throw adminRefusal(config, response.status, json, `HTTP ${response.status}`);
  return json;
}

function printRejections(rows: readonly RejectionSummary[]): void {
  if (rows.length === 0) {
    process.stdout.write('No rejections match.\n');
    return;
  }
  for (const r of rows) {
    const replayed = r.replayed_at === null ? '' : `  (replayed ${r.replayed_at} as ${r.replayed_as ?? ''})`;
    process.stdout.write(`${r.rejection_id}  ${r.received_at}  ${r.family.padEnd(14)} ${r.status_code} ${r.error_code}  from ${r.source_ip}${replayed}\n    ${r.reason}\n`);
  }
  process.stdout.write(`${rows.length} rejection(s)\n`);
}

/** Records the warehouse refused on their own: verified events are among them, so they always show. */
function printQuarantined(rows: readonly QuarantineSummary[]): void {
  if (rows.length === 0) return;
  process.stdout.write(`\nQuarantined (the warehouse refused these records on their own; everything around them landed):\n`);
  for (const q of rows) {
    const replayed = q.replayed_at === null ? '' : `  (replayed ${q.replayed_at})`;
    process.stdout.write(`${q.quarantine_id}  ${q.quarantined_at}  ${q.kind} ${q.family} ${q.target_table} ${q.record_key}  file ${q.file}${replayed}\n    ${q.error}\n`);
  }
  process.stdout.write(`${rows.length} quarantined record(s); replay one with: switchboard replay <quarantine id>\n`);
}
