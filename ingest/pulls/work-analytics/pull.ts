/**
 * A resumable pull of Work Analytics call records into `<rawSchema>.work_events`: the range
 * is cut into local-day windows (planWindows), each window is read page by page (scrollId),
 * and every page lands together with the cursor `{ window, scrollId }` (land.ts). After a
 * kill, the next pull skips the windows already done and continues the open window from the
 * last scrollId that landed; if 8x8 no longer knows that scrollId, it reads the window again
 * from its start (the dedupe keys make that harmless).
 */
import type { Warehouse } from '../../../sql/warehouse.js';
import { landPage, preparePull, readCursor, type PullTarget } from '../land.js';
import type { WorkAnalyticsClient } from './client.js';
import { WorkAnalyticsError } from './errors.js';
import { callRecordEvent } from './records.js';
import { planWindows, type SkippedRange } from './windows.js';

/** Where a Work Analytics pull stands: the window being read, and the next page's scrollId (null: window done). */
export interface WorkPullCursor {
  window: string;
  scrollId: string | null;
}

export interface WorkPullOptions {
  rawSchema: string;
  from: Date;
  to: Date;
  timeZone: string;
  pageSize: number;
  runId: string;
  signal?: AbortSignal;
  now?: Date;
  /** Called after each page has landed. */
  onPage?: (progress: { window: string; windowIndex: number; windows: number; records: number; landed: number }) => void;
  /** Transient failures (429, 5xx) retried per page at most this many times. Default 5. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WorkPullResult {
  pages: number;
  landed: number;
  /** Parts of the range not pulled, with why (older than 2 years, in the future). */
  skipped: SkippedRange[];
}

export const WORK_SOURCE = 'work-analytics:call-records';

export async function pullWorkCallRecords(client: WorkAnalyticsClient, warehouse: Warehouse, options: WorkPullOptions): Promise<WorkPullResult> {
  const target: PullTarget = { rawSchema: options.rawSchema, table: 'work_events', family: 'work', source: WORK_SOURCE, runId: options.runId };
  await preparePull(warehouse, target);
  const plan = planWindows({ from: options.from, to: options.to, timeZone: options.timeZone, ...(options.now === undefined ? {} : { now: options.now }) });
  const cursor = await readCursor<WorkPullCursor>(warehouse, options.rawSchema, WORK_SOURCE);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pages = 0;
  let landed = 0;
  for (const [index, window] of plan.windows.entries()) {
    const key = window.start.toISOString();
    // Done before: windows before the cursor's, and the cursor's own once its last page landed.
    if (cursor !== null && (key < cursor.window || (key === cursor.window && cursor.scrollId === null))) continue;
    let scrollId = cursor !== null && key === cursor.window ? cursor.scrollId : null;
    for (let attempt = 1; ; ) {
      options.signal?.throwIfAborted();
      let page;
      try {
        page = await client.callRecords({ from: window.start, to: window.end, timeZone: options.timeZone, pageSize: options.pageSize, scrollId, ...(options.signal === undefined ? {} : { signal: options.signal }) });
      } catch (error) {
        if (error instanceof WorkAnalyticsError && error.transient && attempt < (options.maxAttempts ?? 5)) {
          await sleep(Math.max(error.retryAfterMs ?? 0, 500 * 2 ** (attempt - 1)));
          attempt += 1;
          continue;
        }
        if (error instanceof WorkAnalyticsError && error.code === 'SB_PULL_WORK_REQUEST' && scrollId !== null) {
          scrollId = null; // the scroll expired while we were away: read the window again
          continue;
        }
        throw error;
      }
      attempt = 1;
      await landPage(warehouse, target, page.records.map(callRecordEvent), { window: key, scrollId: page.scrollId } satisfies WorkPullCursor);
      pages += 1;
      landed += page.records.length;
      options.onPage?.({ window: window.startTime, windowIndex: index + 1, windows: plan.windows.length, records: page.records.length, landed });
      if (page.scrollId === null) break;
      scrollId = page.scrollId;
    }
  }
  return { pages, landed, skipped: plan.skipped };
}
