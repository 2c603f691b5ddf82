/**
 * Work Analytics call records as a pull source (`work-analytics`), landing in
 * `<rawSchema>.work_events`: the range is cut into local-day windows (planWindows), each
 * window is read page by page (scrollId), and every page lands with the position
 * `{ window, scrollId }`. On resume the windows before the position's are skipped and the
 * open window continues from the last scrollId that landed; if 8x8 no longer knows that
 * scrollId, the window is read again from its start (the dedupe keys make that harmless).
 */
import type { PullSource } from '../source.js';
import type { WorkAnalyticsClient } from './client.js';
import { WorkAnalyticsError } from './errors.js';
import { callRecordEvent } from './records.js';
import { planWindows } from './windows.js';

/** Where a Work Analytics pull stands: the window being read, and the next page's scrollId (null: window done). */
export interface WorkPosition {
  window: string;
  scrollId: string | null;
}

export interface WorkSourceOptions {
  /** IANA zone the API reads the query times in (`pulls.workAnalytics.timeZone`). */
  timeZone: string;
  /** Records per page, at most 7000 (`pulls.workAnalytics.pageSize`). */
  pageSize: number;
  /** `pbxId`: a PBX name, a comma list, or `allpbxes` (the default). */
  pbxId?: string;
  /** Transient failures (429, 5xx) retried per page at most this many times. Default 5. */
  maxAttempts?: number;
}

export const WORK_SOURCE = 'work-analytics';

export function workCallRecordsSource(client: WorkAnalyticsClient, options: WorkSourceOptions): PullSource<WorkPosition> {
  return {
    name: WORK_SOURCE,
    description: '8x8 Work Analytics call records (/v2/call-records) → raw.work_events → calls',
    table: 'work_events',
    family: 'work',
    retention: '2 years',
    async pull(range, position, io) {
      const plan = planWindows({ from: range.from, to: range.to, timeZone: options.timeZone, now: io.now });
      for (const [index, window] of plan.windows.entries()) {
        const key = window.start.toISOString();
        // Done before: windows before the position's, and the position's own once its last page landed.
        if (position !== null && (key < position.window || (key === position.window && position.scrollId === null))) continue;
        let scrollId = position !== null && key === position.window ? position.scrollId : null;
        const step = { step: window.startTime.slice(0, 10), stepIndex: index + 1, steps: plan.windows.length, landed: 0 };
        for (let attempt = 1; ; ) {
          io.signal.throwIfAborted();
          let page;
          try {
            page = await client.callRecords({
              from: window.start,
              to: window.end,
              timeZone: options.timeZone,
              pageSize: options.pageSize,
              scrollId,
              signal: io.signal,
              ...(options.pbxId === undefined ? {} : { pbxId: options.pbxId }),
            });
          } catch (error) {
            if (error instanceof WorkAnalyticsError && error.transient && attempt < (options.maxAttempts ?? 5)) {
              const delay = Math.max(error.retryAfterMs ?? 0, 500 * 2 ** (attempt - 1));
              io.report(step, `${error.message}; retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${options.maxAttempts ?? 5})`);
              await io.sleep(delay, io.signal);
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
          await io.land(page.records.map(callRecordEvent), { window: key, scrollId: page.scrollId }, step);
          if (page.scrollId === null) break;
          scrollId = page.scrollId;
        }
      }
      return { skipped: plan.skipped };
    },
  };
}
