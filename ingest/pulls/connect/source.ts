/**
 * The 8x8 Connect log exports as pull sources (`connect-sms`, `connect-chatapps`,
 * `connect-voice`). The range is cut into UTC windows (`windowHours`); per window an export
 * job is started, polled until it ends, and its CSV files are streamed and landed
 * `pageSize` rows at a time with the position `{window, jobId, file, row}`.
 *
 * The job id lands (with no rows) the moment the job is started, so a pull killed while
 * 8x8 is still building the file resumes by polling the SAME job instead of starting
 * another. On resume, windows before the position's are skipped; the open window gets its
 * job again and skips the rows of the current file that already landed. If 8x8 no longer
 * knows the job (404) or its links expired, a new job reads the window again from its
 * start: the dedupe keys make re-landing harmless.
 */
import type { PulledEvent } from '../land.js';
import { planUtcWindows } from '../utc-windows.js';
import type { PullIO, PullNote, PullStep, PullRange, PullSource } from '../source.js';
import { formatExportTime, type ConnectExportsClient, type ConnectProduct, type ExportJob } from './client.js';
import { ConnectExportError } from './errors.js';
import { chatAppsUmid, exportRowEvent, readExportRows, type ExportRow } from './records.js';

/** Where a Connect export pull stands. */
export interface ConnectPosition {
  /** The window's start, ISO UTC, e.g. `2026-03-07T00:00:00.000Z`. */
  window: string;
  /** The window's export job, e.g. `F1T6z9C5tW2Q…`; null only before one was started. */
  jobId: string | null;
  /** Index (in the job's `data` links) of the file being read; `data.length` once all are read. */
  file: number;
  /** Rows of that file already landed. */
  row: number;
  /** True once the whole window has landed (or its job was `empty`). */
  done: boolean;
}

export interface ConnectSourceOptions {
  /** Hours per export job (`pulls.connect.windowHours`). Default 24. */
  windowHours?: number;
  /** Rows landed per page (one transaction each). Default 1000. */
  pageSize?: number;
  /** First wait between job polls (`pulls.connect.pollIntervalMs`); it grows ×1.5 per poll up to 60 s. Default 5000 ms. */
  pollIntervalMs?: number;
  /** Total polling wait per job before giving up. Default 30 min. */
  maxWaitMs?: number;
  /** Tries per request on transient errors, and export jobs per window. Default 5. */
  maxAttempts?: number;
}

const TABLES: Readonly<Record<ConnectProduct, { table: string; family: string; label: string }>> = {
  sms: { table: 'messaging_events', family: 'messaging', label: 'SMS' },
  chatapps: { table: 'messaging_events', family: 'messaging', label: 'Chat Apps' },
  voice: { table: 'voice_events', family: 'voice', label: 'Voice' },
};

const MAX_POLL_MS = 60_000;
const HOUR = 3_600_000;

/** The source's name for a product, e.g. `connect-sms`. */
export function connectSourceName(product: ConnectProduct): string {
  return `connect-${product}`;
}

export function connectExportSource(client: ConnectExportsClient, product: ConnectProduct, options: ConnectSourceOptions = {}): PullSource<ConnectPosition> {
  const { table, family, label } = TABLES[product];
  const windowMs = (options.windowHours ?? 24) * HOUR;
  const pageSize = options.pageSize ?? 1000;
  const pollMs = options.pollIntervalMs ?? 5000;
  const maxWaitMs = options.maxWaitMs ?? 30 * 60_000;
  const maxAttempts = options.maxAttempts ?? 5;
  if (!(windowMs > 0) || !Number.isInteger(pageSize) || pageSize < 1) {
    throw new ConnectExportError('SB_PULL_CONNECT_REQUEST', 'pulls.connect.windowHours must be above 0, and the page size a whole number above 0.', {
      configKey: 'pulls.connect',
    });
  }

  return {
    name: connectSourceName(product),
    description: `8x8 Connect ${label} log export (/messages/exports, CSV) → raw.${table}`,
    table,
    family,
    async pull(range, position, io) {
      const plan = planUtcWindows(range, io.now, windowMs, { wholeSeconds: true });
      const unkeyed: Unkeyed = { rows: 0, header: [] };
      for (const [index, window] of plan.windows.entries()) {
        const key = window.from.toISOString();
        if (position !== null && (key < position.window || (key === position.window && position.done))) continue;
        const resume = position !== null && key === position.window ? position : null;
        const progress = (): PullStep => ({ step: `${product} ${key.slice(0, 16)}Z`, stepIndex: index + 1, steps: plan.windows.length });
        const land = async (events: PulledEvent[], at: Omit<ConnectPosition, 'window'>): Promise<void> => {
          await io.land(events, { window: key, ...at }, progress());
        };
        await pullWindow({ client, product, io, window, resume, land, progress, pageSize, pollMs, maxWaitMs, maxAttempts, unkeyed });
      }
      return { skipped: plan.skipped, notes: unkeyedNote(unkeyed) };
    },
  };
}

/** Chat Apps rows this run landed without a umid, and the header of the first such file. */
interface Unkeyed {
  rows: number;
  header: string[];
}

/** The run's one note about rows keyed by a digest, if there were any. */
function unkeyedNote(unkeyed: Unkeyed): PullNote[] {
  if (unkeyed.rows === 0) return [];
  return [
    {
      code: 'SB_PULL_CONNECT_ROW_DIGEST_KEY',
      message:
        `${unkeyed.rows} Chat Apps export row(s) had no umid (header: ${unkeyed.header.join(',').slice(0, 300)}). 8x8 does not document the Chat Apps export's columns; ` +
        'they landed in raw.messaging_events keyed by a digest of the row (pull:chatapps:digest:…), so a later export of the same message with new state lands as another row, ' +
        'and the messages model leaves them out (it joins on umid). Report the header to 8x8 support if the export should carry umid.',
    },
  ];
}

interface WindowRun {
  client: ConnectExportsClient;
  product: ConnectProduct;
  io: PullIO<ConnectPosition>;
  window: PullRange;
  resume: ConnectPosition | null;
  land(events: PulledEvent[], at: Omit<ConnectPosition, 'window'>): Promise<void>;
  progress(): PullStep;
  pageSize: number;
  pollMs: number;
  maxWaitMs: number;
  maxAttempts: number;
  unkeyed: Unkeyed;
}

/** One window: start (or resume) its job, wait for it, land its files, mark it done. */
async function pullWindow(run: WindowRun): Promise<void> {
  const { client, io, window } = run;
  let jobId = run.resume?.jobId ?? null;
  let file = run.resume?.file ?? 0;
  let row = run.resume?.row ?? 0;
  let started = 0;
  let lastEnd = '';
  for (;;) {
    io.signal.throwIfAborted();
    if (jobId === null) {
      if (started >= run.maxAttempts) {
        throw new ConnectExportError(
          'SB_PULL_CONNECT_EXPORT_FAILED',
          `8x8 could not export ${run.product} logs for ${formatExportTime(window.from)} … ${formatExportTime(window.to)}: ${started} export jobs ended ${lastEnd}. ` +
            'Run the pull again later (it resumes this window), or make pulls.connect.windowHours smaller; contact 8x8 support if it persists.',
          { configKey: 'pulls.connect.windowHours' },
        );
      }
      started += 1;
      jobId = await retry(run, () => client.startExport({ from: window.from, to: window.to, limit: 0, signal: io.signal }));
      file = 0;
      row = 0;
      // Land the job id before waiting on it: a kill now resumes on this job, not a new one.
      await run.land([], { jobId, file, row, done: false });
    }
    const job = await waitForJob(run, jobId);
    if (job === null) {
      lastEnd = 'unknown to 8x8 (404)';
      jobId = null; // 8x8 forgot the job: export the window again
      continue;
    }
    if (job.status === 'empty') break;
    if (job.status !== 'succeeded') {
      lastEnd = `"${job.status}"`;
      io.report(run.progress(), `export job ${jobId} ended "${job.status}"; starting a new one (${started} of ${run.maxAttempts})`);
      jobId = null;
      continue;
    }
    const read = await readFiles(run, jobId, job, file, row);
    if (read === 'expired') {
      lastEnd = 'with expired download links';
      jobId = null;
      continue;
    }
    file = job.data.length;
    break;
  }
  await run.land([], { jobId, file, row: 0, done: true });
}

/** Polls until the job leaves queued/running; null when 8x8 does not know it (404). */
async function waitForJob(run: WindowRun, jobId: string): Promise<ExportJob | null> {
  const { io } = run;
  let waited = 0;
  for (let polls = 0; ; polls++) {
    let job: ExportJob;
    try {
      job = await retry(run, () => run.client.getExport(jobId, io.signal));
    } catch (error) {
      if (error instanceof ConnectExportError && error.code === 'SB_PULL_CONNECT_REQUEST' && error.status === 404) return null;
      throw error;
    }
    if (job.status !== 'queued' && job.status !== 'running') return job;
    if (waited >= run.maxWaitMs) {
      throw new ConnectExportError(
        'SB_PULL_CONNECT_EXPORT_TIMEOUT',
        `8x8 export job ${jobId} (${run.product}) was still "${job.status}" after ${Math.round(waited / 1000)} s. Run the pull again later: it resumes polling the same job. ` +
          'Or make pulls.connect.windowHours smaller so each export is quicker to build.',
        { configKey: 'pulls.connect.windowHours' },
      );
    }
    // Back off: big exports take minutes, and 8x8 rate-limits per subaccount.
    const delay = Math.max(run.pollMs, Math.min(MAX_POLL_MS, Math.round(run.pollMs * 1.5 ** polls)));
    io.report(run.progress(), `export job ${jobId} ${job.status}; checking again in ${(delay / 1000).toFixed(1)}s`);
    await io.sleep(delay, io.signal);
    waited += delay;
  }
}

/**
 * Lands the job's files from `file`, skipping the `row` rows of it that already landed.
 * A transient failure (429/5xx, a cut connection) downloads the file again and skips what
 * landed; an expired link answers 'expired' so the caller starts a new job.
 */
async function readFiles(run: WindowRun, jobId: string, job: ExportJob, file: number, row: number): Promise<'read' | 'expired'> {
  for (; file < job.data.length; file++, row = 0) {
    const url = job.data[file] as string;
    for (let attempt = 1; ; attempt++) {
      try {
        row = await readFile(run, jobId, url, file, row);
        break;
      } catch (error) {
        if (!(error instanceof ConnectExportError)) throw error;
        if (error.code === 'SB_PULL_CONNECT_REQUEST' && [403, 404, 410].includes(error.status ?? 0)) return 'expired';
        if (!error.transient || attempt >= run.maxAttempts) throw error;
        await backoff(run, error, attempt);
      }
    }
  }
  return 'read';
}

/** Streams one file, landing a page every `pageSize` rows; returns the rows landed of it. */
async function readFile(run: WindowRun, jobId: string, url: string, file: number, row: number): Promise<number> {
  const { io } = run;
  const csv = await run.client.download(url, io.signal);
  let seen = 0;
  let page: PulledEvent[] = [];
  for await (const record of readExportRows(run.product, csv, io.signal)) {
    if (seen++ < row) continue; // landed before the kill or the broken download
    if (run.product === 'chatapps') countUnkeyed(run.unkeyed, record);
    page.push(exportRowEvent(run.product, record));
    if (page.length >= run.pageSize) {
      await run.land(page, { jobId, file, row: row + page.length, done: false });
      row += page.length;
      page = [];
      io.signal.throwIfAborted();
    }
  }
  // The file is done: the position moves to the next one, with the rest of the rows.
  await run.land(page, { jobId, file: file + 1, row: 0, done: false });
  return row + page.length;
}

function countUnkeyed(unkeyed: Unkeyed, record: ExportRow): void {
  if (chatAppsUmid(record) !== null) return;
  if (unkeyed.rows === 0) unkeyed.header = Object.keys(record);
  unkeyed.rows += 1;
}

/** One request, retried on transient errors at most `maxAttempts` times. */
async function retry<T>(run: WindowRun, request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    run.io.signal.throwIfAborted();
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof ConnectExportError) || !error.transient || attempt >= run.maxAttempts) throw error;
      await backoff(run, error, attempt);
    }
  }
}

/** Waits before attempt `attempt + 1`: exponential, never shorter than Retry-After. */
async function backoff(run: WindowRun, error: ConnectExportError, attempt: number): Promise<void> {
  const delay = Math.max(error.retryAfterMs ?? 0, Math.min(MAX_POLL_MS, 1000 * 2 ** (attempt - 1)));
  run.io.report(run.progress(), `${error.message}; retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${run.maxAttempts})`);
  await run.io.sleep(delay, run.io.signal);
}
