/**
 * The pulls' dead letters: pages that failed and that no run has got past since
 * (`<raw>._pull_failures`, ingest/pulls/failures.ts).
 *
 * A replay pulls that range again with the puller, holding the source's job: a backfill's
 * range by its own cursor, a scheduled pull's open range by the source's cursor. Either
 * resumes at the position after the last page that landed, so the failed page is read
 * again and nothing before it; each page lands with its cursor in one transaction, and
 * records read twice merge by their dedupe keys. The run that finishes the range resolves
 * every failure of that cursor.
 */
import { pullCursorsTable } from '../../ingest/pulls/land.js';
import { pullFailuresTable, type PullFailureRow } from '../../ingest/pulls/failures.js';
import type { PullRequest } from '../../ingest/pulls/puller.js';
import { pullRunsTable, type PullRunResult } from '../../ingest/pulls/runner.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { ageSeconds, codeOf, iso, reasonMatches, type DeadLetter, type DeadLetterDetail, type DeadLetterFilter, type ReplayOptions, type DeadLetterOutcome } from './dead-letter.js';
import { Where } from './where.js';

/** How a replay runs a pull: in serve, holding its job (as POST /pull does); in the CLI without serve, under its lease. */
export interface PullReplayRunner {
  /** The configured sources. */
  sources: readonly string[];
  run(source: string, request: Pick<PullRequest, 'range'>): Promise<PullRunResult>;
}

export class PullLetters {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly rawSchema: string,
    private readonly runner: PullReplayRunner | null,
  ) {}

  /** Failed pages not got past yet, newest first. `ids` are failure ids (without the prefix). */
  async list(filter: DeadLetterFilter, ids: readonly string[] | undefined, limit: number, now: Date): Promise<DeadLetter[]> {
    const rows = await this.rows(filter, ids, limit);
    return rows.filter((r) => reasonMatches(r.error_message, filter.reason)).map((r) => entryOf(r, now));
  }

  async detail(failureId: string, now: Date): Promise<DeadLetterDetail | null> {
    const [row] = await this.rows({}, [failureId], 1);
    if (row === undefined) return null;
    const d = this.warehouse.dialect;
    const runs = pullRunsTable(this.rawSchema);
    const cursors = pullCursorsTable(this.rawSchema);
    const [run] = await this.warehouse.all(
      `SELECT run_id, status, pages, landed, started_at, finished_at, error_code, error_message FROM ${d.tableName(runs.schema, runs.name)} WHERE run_id = ${d.param(1)}`,
      [row.last_run_id],
    );
    const [cursor] = await this.warehouse.all<{ cursor: string }>(`SELECT cursor FROM ${d.tableName(cursors.schema, cursors.name)} WHERE source = ${d.param(1)}`, [row.cursor_key]);
    return {
      entry: entryOf(row, now),
      detail: {
        source: row.source,
        mode: row.mode,
        cursorKey: row.cursor_key,
        range: { from: iso(row.range_from), to: iso(row.range_to) },
        page: Number(row.page),
        step: row.step,
        position: row.position === null ? null : (JSON.parse(row.position) as unknown),
        errorCode: row.error_code,
        errorMessage: row.error_message,
        failures: Number(row.failures),
        configured: this.runner?.sources.includes(row.source) ?? null,
        lastRun: run === undefined ? null : { ...run, started_at: iso(run.started_at), finished_at: run.finished_at === null ? null : iso(run.finished_at) },
        cursorNow: cursor === undefined ? null : (JSON.parse(cursor.cursor) as unknown),
      },
    };
  }

  /** Pulls each failed range again: one run per cursor (failures of one range share it). */
  async replay(entries: readonly DeadLetter[], options: ReplayOptions): Promise<DeadLetterOutcome[]> {
    const rows = await this.rows({}, entries.map((e) => e.id.slice('pull:'.length)), entries.length);
    const byCursor = new Map<string, PullFailureRow[]>();
    for (const row of rows) byCursor.set(row.cursor_key, [...(byCursor.get(row.cursor_key) ?? []), row]);
    const outcomes: DeadLetterOutcome[] = entries
      .filter((e) => !rows.some((r) => `pull:${r.failure_id}` === e.id))
      .map((e) => ({ id: e.id, status: 'not-found' as const, message: 'Not a dead letter any more: a run got past that page meanwhile.' }));
    for (const group of byCursor.values()) outcomes.push(...(await this.replayCursor(group, options)));
    return outcomes;
  }

  private async replayCursor(group: readonly PullFailureRow[], options: ReplayOptions): Promise<DeadLetterOutcome[]> {
    const first = group[0] as PullFailureRow;
    const all = (outcome: Omit<DeadLetterOutcome, 'id'>): DeadLetterOutcome[] => group.map((r) => ({ id: `pull:${r.failure_id}`, ...outcome }));
    const range = { from: new Date(first.range_from), to: new Date(first.range_to) };
    const what = `${first.source} ${range.from.toISOString()} … ${range.to.toISOString()} (${first.mode === 'backfill' ? 'its backfill' : 'the scheduled pull'})`;
    if (this.runner === null || !this.runner.sources.includes(first.source)) {
      return all({
        status: 'skipped',
        code: 'SB_PULL_UNKNOWN',
        message: `No pull source ${first.source} is configured any more (config keys pulls.*), so ${what} cannot be pulled again. Configure it again, or mark it resolved in SQL (UPDATE ${this.rawSchema}._pull_failures SET resolved_at = now() WHERE cursor_key = '${first.cursor_key}').`,
      });
    }
    if (options.dryRun === true) {
      return group.map((r) => ({
        id: `pull:${r.failure_id}`,
        status: 'would-replay' as const,
        message: `would pull ${what} again, from where page ${r.page}${r.step === null ? '' : ` (${r.step})`} failed; nothing was pulled.`,
      }));
    }
    let result: PullRunResult;
    try {
      result = await this.runner.run(first.source, first.mode === 'backfill' ? { range } : {});
    } catch (error) {
      return all({ status: 'failed', message: `pulling ${what} again failed: ${(error as Error).message}`, ...codeOf(error) });
    }
    const still = new Set((await this.rows({}, group.map((r) => r.failure_id), group.length)).map((r) => r.failure_id));
    return group.map((r) =>
      still.has(r.failure_id)
        ? { id: `pull:${r.failure_id}`, status: 'failed' as const, message: `run ${result.runId} (${result.status}) did not get past page ${r.page}; it stays a dead letter.` }
        : {
            id: `pull:${r.failure_id}`,
            status: 'replayed' as const,
            message:
              result.status === 'nothing-to-do'
                ? `${what} had been finished since; nothing to pull.`
                : `pulled again by run ${result.runId}: ${result.landed} record(s) in ${result.pages} page(s); records read twice merge by their dedupe keys.`,
          },
    );
  }

  private async rows(filter: DeadLetterFilter, ids: readonly string[] | undefined, limit: number): Promise<PullFailureRow[]> {
    const d = this.warehouse.dialect;
    const table = pullFailuresTable(this.rawSchema);
    const where = new Where(d)
      .raw('resolved_at IS NULL')
      .oneOf('failure_id', ids)
      .equals('source', filter.pipeline)
      .equals('error_code', filter.code)
      .contains('error_message', filter.reason)
      .between('last_failed_at', filter.since, filter.until);
    return (await this.warehouse.all(
      `SELECT * FROM ${d.tableName(table.schema, table.name)}${where} ORDER BY last_failed_at DESC LIMIT ${Math.max(1, limit)}`,
      where.params,
    )) as unknown as PullFailureRow[];
  }
}

function entryOf(r: PullFailureRow, now: Date): DeadLetter {
  const firstAt = iso(r.first_failed_at);
  return {
    id: `pull:${r.failure_id}`,
    source: 'pull',
    pipeline: r.source,
    reason: `page ${r.page}${r.step === null ? '' : ` (${r.step})`} of ${iso(r.range_from)} … ${iso(r.range_to)}: ${r.error_message}`,
    code: r.error_code,
    count: Number(r.failures),
    firstAt,
    lastAt: iso(r.last_failed_at),
    ageSeconds: ageSeconds(firstAt, now),
  };
}
