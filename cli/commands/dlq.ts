import { Command, Option } from 'commander';
import { loadConfig } from '../../server/config.js';
import type { Config } from '../../core/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { DEAD_LETTER_SOURCES, type DeadLetter, type DeadLetterDetail, type DeadLetterFilter, type DeadLetterOutcome } from '../../server/dlq/dead-letter.js';
import { checkReplayScope, type ReplayScope } from '../../server/dlq/dead-letters.js';
import { localUrl } from '../local-url.js';
import { getAdminJson, postForNdjson } from '../admin-client.js';
import { withDirectDeadLetters } from '../dlq-direct.js';
import { deadLetterDetail, deadLetterTable, outcomeLine, outcomeTally } from '../dlq-output.js';

interface CommonOptions {
  config?: string;
  adminUrl?: string;
  json?: boolean;
}

interface FilterOptions extends CommonOptions {
  source?: string;
  pipeline?: string;
  family?: string;
  sync?: string;
  reason?: string;
  code?: string;
  since?: string;
  until?: string;
  limit?: number;
}

interface ReplayCommandOptions extends FilterOptions {
  all?: boolean;
  trust?: boolean;
  dryRun?: boolean;
}

export function dlqCommand(): Command {
  return new Command('dlq')
    .description('Dead letters in one place: landing rejections, quarantined records, rows a sync destination refused, pull pages that failed. List, show and replay them.')
    .addCommand(listCommand())
    .addCommand(showCommand())
    .addCommand(replayCommand())
    .addHelpText(
      'after',
      `
Each dead letter has an id that says where it comes from: rejection:<id>, quarantine:<id>,
sync:<sync>:<key>, pull:<run>:<page>. Replay sends them through the path they failed on, with
the same checks and idempotency as the first time: what goes through is no longer a dead
letter, so replaying twice sends nothing the second time. Runs in the server if one is up
(it holds the warehouse), else directly (landing replays then need serve).

Examples:
  switchboard dlq list
  switchboard dlq list --source sync --pipeline missed_calls_to_zendesk --json
  switchboard dlq show sync:missed_calls_to_zendesk:c-1042
  switchboard dlq replay --source landing --code SB_INGEST_SIGNATURE_INVALID --dry-run
  switchboard dlq replay --sync missed_calls_to_zendesk --since 2026-11-27T00:00:00Z
  switchboard dlq replay pull:1b9e4c2a-7d1f-4e3b-9a0c-5f6e7d8c9b0a:3`,
    );
}

/** Options shared by the three subcommands. */
function common(command: Command): Command {
  return command
    .option('-c, --config <file>', 'config file (the warehouse, syncs, pulls, and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .option('--json', 'print JSON (the operator API answer) instead of text');
}

/** The filter options of list and replay. */
function filters(command: Command): Command {
  return common(command)
    .addOption(new Option('--source <source>', 'only this source').choices([...DEAD_LETTER_SOURCES]))
    .option('--pipeline <name>', 'only this family, sync or pull source')
    .option('--family <family>', 'the same as --pipeline, for landing: messaging, voice, contact-center, meetings')
    .option('--sync <name>', 'the same as --pipeline, for a sync (syncs[].name)')
    .option('--reason <text>', 'only those whose reason contains this text (any case)')
    .option('--code <code>', 'only this code, e.g. SB_INGEST_SIGNATURE_INVALID or a destination code such as INVALID_FIELD')
    .option('--since <time>', 'only those last refused at or after this ISO time')
    .option('--until <time>', 'only those last refused before this ISO time')
    .option('--limit <n>', 'at most this many (list: 100, replay: 1000; at most 10000)', (v) => Number.parseInt(v, 10));
}

function listCommand(): Command {
  return filters(new Command('list').description('List dead letters, newest first, with their reason, count and age.'))
    .addHelpText(
      'after',
      `
Examples:
  switchboard dlq list
  switchboard dlq list --source landing --family meetings
  switchboard dlq list --reason "not found" --since 2026-11-27 --json`,
    )
    .action(async (options: FilterOptions) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const filter = filterOf(options);
      const query = new URLSearchParams(Object.entries(filter).map(([k, v]): [string, string] => [k, String(v)]));
      const answer = await getAdminJson(config, baseOf(config, options), `/dlq?${query}`);
      const entries = answer === null ? await withDirectDeadLetters(config, (dl) => dl.list(filter)) : (answer.body as { entries: DeadLetter[] }).entries;
      process.stdout.write(options.json === true ? `${JSON.stringify({ entries }, null, 2)}\n` : deadLetterTable(entries));
    });
}

function showCommand(): Command {
  return common(new Command('show').description('Show one dead letter in full: its headers or row, a redacted body sample, its attempts.'))
    .argument('<id>', 'as dlq list prints it, e.g. rejection:3f1c… or sync:<sync>:<key>')
    .addHelpText(
      'after',
      `
Body samples are cut to 1000 characters, with credentials, e-mail addresses and phone numbers
masked; the warehouse keeps the originals.

Examples:
  switchboard dlq show rejection:3f1c2a9e-5b7d-4e8a-9c21-0d6e4b8f7a10
  switchboard dlq show sync:calls_to_salesforce:c-42 --json`,
    )
    .action(async (id: string, options: CommonOptions) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const answer = await getAdminJson(config, baseOf(config, options), `/dlq/${encodeURIComponent(id)}`);
      const found = answer === null ? await withDirectDeadLetters(config, (dl) => dl.show(id)) : answer.status === 404 ? null : (answer.body as DeadLetterDetail);
      if (found === null) {
        throw new SwitchboardError('SB_DLQ_NOT_FOUND', `No dead letter ${id}: it was replayed or resolved already, or the id is mistyped (switchboard dlq list shows what is left).`);
      }
      process.stdout.write(options.json === true ? `${JSON.stringify(found, null, 2)}\n` : deadLetterDetail(found));
    });
}

function replayCommand(): Command {
  return filters(new Command('replay').description('Send dead letters again, through the path they failed on, once the cause is fixed.'))
    .argument('[ids...]', 'dead letter ids, as dlq list prints them; the filters narrow them further')
    .option('--all', 'replay every dead letter (needed when no id or filter is given)')
    .option('--trust', 'landing: land header-authenticated rejections without re-checking credentials (never stored); you vouch for them')
    .option('--dry-run', 'check and plan, send nothing')
    .addHelpText(
      'after',
      `
What a replay does, per source (each with the same checks and idempotency as the first time):
  landing     verified again with the current config, as of its arrival; lands once (its dedupe
              key merges a second copy). Header-authenticated families need --trust.
  quarantine  the kept record goes to the spool again, unchanged, and lands once.
  sync        those keys only, through the syncer: sent if the destination does not have the
              row's current version yet (same idempotency key as before); a row that left the
              model is cleared. A second replay sends nothing.
  pull        the failed range is pulled again from the page that failed; records read twice
              merge by their dedupe keys.
Exit status 1 when a dead letter failed again.

Examples:
  switchboard dlq replay --source landing --code SB_INGEST_SIGNATURE_INVALID --dry-run
  switchboard dlq replay --source landing --family voice --code SB_INGEST_AUTH_INVALID --trust
  switchboard dlq replay --sync missed_calls_to_zendesk --reason "requester"
  switchboard dlq replay quarantine:q-3a9c-0-1234 pull:1b9e…:3
  switchboard dlq replay --all --dry-run`,
    )
    .action(async (ids: string[], options: ReplayCommandOptions) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const scope: ReplayScope = { ...filterOf(options), ...(ids.length > 0 ? { ids } : {}), ...(options.all === true ? { all: true } : {}) };
      checkReplayScope(scope);
      const dryRun = options.dryRun === true;
      const trust = options.trust === true;
      const print = (o: DeadLetterOutcome): void => {
        if (options.json !== true) process.stdout.write(outcomeLine(o));
      };
      const outcomes =
        (await viaServer(config, baseOf(config, options), { ...scope, dryRun, trust }, print)) ??
        (await withDirectDeadLetters(config, (dl) => dl.replay(scope, { dryRun, trust }, print)));
      process.stdout.write(options.json === true ? `${JSON.stringify({ dryRun, outcomes }, null, 2)}\n` : outcomeTally(outcomes, dryRun));
      if (outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
    });
}

async function viaServer(config: Config, base: string, body: ReplayScope & { dryRun: boolean; trust: boolean }, print: (o: DeadLetterOutcome) => void): Promise<DeadLetterOutcome[] | null> {
  const values = await postForNdjson(config, base, '/dlq/replay', body, { accept: 'application/x-ndjson' });
  if (values === null) return null; // no server: the warehouse is free to open here
  for await (const raw of values) {
    const value = raw as { outcome?: DeadLetterOutcome; outcomes?: DeadLetterOutcome[]; error?: { code: string; message: string } };
    if (value.outcome !== undefined) print(value.outcome);
    if (value.outcomes !== undefined) return value.outcomes;
    if (value.error !== undefined) throw new SwitchboardError(value.error.code, value.error.message);
  }
  throw new SwitchboardError('SB_CLI_BUILD_INTERRUPTED', `The server at ${base} ended the stream early; the replay may go on there (switchboard dlq list shows what is left).`);
}

function baseOf(config: Config, options: CommonOptions): string {
  return options.adminUrl ?? localUrl(config.file.admin);
}

/** The filter the options give, checked: one pipeline option at most, times that parse, a sane limit. */
function filterOf(options: FilterOptions): DeadLetterFilter {
  const pipelines = [options.pipeline, options.family, options.sync].filter((p) => p !== undefined);
  if (pipelines.length > 1) throw new SwitchboardError('SB_CLI_BAD_OPTION', 'Give one of --pipeline, --family and --sync (they are the same filter).');
  const time = (value: string | undefined, flag: string): string | undefined => {
    if (value === undefined) return undefined;
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed)) throw new SwitchboardError('SB_CLI_BAD_OPTION', `${flag} "${value}" is not a time: use 2026-11-27 (midnight UTC) or 2026-11-27T09:00:00Z.`);
    return new Date(parsed).toISOString();
  };
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1 && options.limit <= 10_000)) {
    throw new SwitchboardError('SB_CLI_BAD_OPTION', '--limit takes a whole number from 1 to 10000.');
  }
  const filter: DeadLetterFilter = {
    source: options.source as DeadLetterFilter['source'],
    pipeline: pipelines[0],
    reason: options.reason,
    code: options.code,
    since: time(options.since, '--since'),
    until: time(options.until, '--until'),
    limit: options.limit,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as DeadLetterFilter;
}
