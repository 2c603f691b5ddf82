/**
 * Every job run, whatever its kind, in one control table: `<rawSchema>._job_runs`. A run is
 * written when it starts (status `running`) and again when it ends. A row left `running` by
 * a process that was killed is marked `abandoned` by the process that takes the job over.
 * The kinds keep their own detail tables too (`_pull_runs`, the sync's `runs`, the models'
 * run results); this one is what `switchboard status` and SQL read across all of them.
 */
import type { TableSpec } from '../../sql/table-spec.js';
import type { Warehouse } from '../../sql/warehouse.js';

export function jobRunsTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_job_runs',
    columns: [
      { name: 'run_id', type: 'text', nullable: false },
      { name: 'job', type: 'text', nullable: false },
      { name: 'kind', type: 'text', nullable: false },
      { name: 'trigger', type: 'text', nullable: false },
      { name: 'node', type: 'text', nullable: false },
      { name: 'lease_token', type: 'bigint', nullable: false },
      { name: 'tick_at', type: 'timestamp', nullable: true },
      { name: 'started_at', type: 'timestamp', nullable: false },
      { name: 'finished_at', type: 'timestamp', nullable: true },
      { name: 'status', type: 'text', nullable: false },
      { name: 'summary', type: 'json', nullable: true },
      { name: 'error_code', type: 'text', nullable: true },
      { name: 'error_message', type: 'text', nullable: true },
    ],
    primaryKey: ['run_id'],
  };
}

export interface RunStart {
  runId: string;
  job: string;
  kind: string;
  trigger: 'schedule' | 'manual';
  node: string;
  leaseToken: number;
  tickAt: Date | null;
  startedAt: Date;
}

export interface RunEnd {
  status: string;
  finishedAt: Date;
  summary: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

/** The table comes from the numbered migrations (server/migrations.ts), applied at start-up. */
export class JobHistory {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly rawSchema: string,
  ) {}

  async started(run: RunStart): Promise<void> {
    const d = this.warehouse.dialect;
    const p = (n: number): string => d.param(n);
    await this.warehouse.run(
      `INSERT INTO ${this.table()} (run_id, job, kind, ${d.quoteIdent('trigger')}, node, lease_token, tick_at, started_at, status) ` +
        `VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, 'running')`,
      [run.runId, run.job, run.kind, run.trigger, run.node, run.leaseToken, run.tickAt, run.startedAt],
    );
  }

  async finished(runId: string, end: RunEnd): Promise<void> {
    const d = this.warehouse.dialect;
    const p = (n: number): string => d.param(n);
    await this.warehouse.run(
      `UPDATE ${this.table()} SET status = ${p(1)}, finished_at = ${p(2)}, summary = CAST(${p(3)} AS ${d.typeName('json')}), error_code = ${p(4)}, error_message = ${p(5)} WHERE run_id = ${p(6)}`,
      [end.status, end.finishedAt, end.summary === null ? null : JSON.stringify(end.summary), end.error?.code ?? null, end.error?.message ?? null, runId],
    );
  }

  /**
   * Marks the runs of `job` left `running` under an older lease (their process died) as
   * `abandoned`, and returns how many. Counted first, then updated (no `UPDATE … RETURNING`
   * on BigQuery or Snowflake); the caller holds the lease, so no other process writes these rows.
   */
  async abandonBefore(job: string, token: number, at: Date): Promise<number> {
    const d = this.warehouse.dialect;
    const where = `WHERE job = ${d.param(1)} AND status = 'running' AND lease_token < ${d.param(2)}`;
    const [counted] = await this.warehouse.all<{ n: number | string }>(`SELECT count(*) AS n FROM ${this.table()} ${where}`, [job, token]);
    const n = Number(counted?.n ?? 0);
    if (n === 0) return 0;
    await this.warehouse.run(
      `UPDATE ${this.table()} SET status = 'abandoned', finished_at = ${d.param(3)}, error_code = 'SB_JOB_ABANDONED', ` +
        `error_message = 'the process running it stopped without finishing (killed, or lost its lease); the job was taken over' ${where}`,
      [job, token, at],
    );
    return n;
  }

  private table(): string {
    return this.warehouse.dialect.tableName(this.rawSchema, '_job_runs');
  }

}
