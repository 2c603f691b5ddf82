/**
 * Work Analytics call records as a pull source (`work-analytics`), landing in
 * `<rawSchema>.work_events`: the range is cut into local-day windows (planWindows), each
 * window is read page by page (scrollId), and every page lands with the position
 * `{ window, done }`.
 *
 * A scroll is state on 8x8's side: each request with the same scrollId moves it on (the
 * id does not change). So a scrollId is never resumed across a failure: a page fetched but
 * not landed (the process killed in between, a timeout whose answer was lost) would be
 * skipped. After a kill the open window is read again from its start, and a 5xx or timeout
 * mid-scroll restarts the window too; only a 429 (refused before it was served) retries the
 * same scrollId. Records read twice merge by their dedupe keys. The SIGKILL test
 * (test/pulls/sigkill.test.ts) found this.
 */
import type { PullSource } from '../source.js';
import type { WorkAnalyticsClient } from './client.js';
import { WorkAnalyticsError } from './errors.js';
import { callRecordEvent } from './records.js';
import { planWindows } from './windows.js';

/** Where a Work Analytics pull stands: the window being read (its start), and whether all its pages landed. */
export interface WorkPosition {
  window: string;
  done: boolean;
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
        if (position !== null && (key < position.window || (key === position.window && position.done))) continue;
        let scrollId: string | null = null; // a half-read window starts again (see above)
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
              // Only a 429 surely left the scroll where it was.
              const restart = scrollId !== null && error.status !== 429;
              io.report(step, `${error.message}; retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${options.maxAttempts ?? 5})${restart ? ', reading the window again from its start' : ''}`);
              await io.sleep(delay, io.signal);
              if (restart) scrollId = null;
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
          await io.land(page.records.map(callRecordEvent), { window: key, done: page.scrollId === null }, step);
          if (page.scrollId === null) break;
          scrollId = page.scrollId;
        }
      }
      return { skipped: plan.skipped };
    },
  };
}
