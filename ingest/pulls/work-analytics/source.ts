/**
 * Work Analytics call records and their legs as a pull source (`work-analytics`), landing
 * in `<rawSchema>.work_events`: the range is cut into local-day windows (planWindows); each
 * window's call records, then its call legs, are read page by page (scrollId), and every
 * page lands with the position `{ window, part, done }`.
 *
 * What a scrollId is, the docs leave open. `docs/analytics/docs/work-analytics-call-detail-records.md`
 * ("Pagination") shows a new one on every page, decoding to `<tenant>_<callId>_<startTimeUTC>`
 * of the page's last record: a stateless keyset cursor, safe to ask again. But if it is state
 * on 8x8's side (each request moving the scroll on, as we first read it), a page fetched but
 * not landed (the process killed in between, a timeout whose answer was lost) would be skipped
 * by resuming it. So the rule is the one safe under both: a scrollId is never resumed across
 * a failure. After a kill the open window is read again from its start, and a 5xx or timeout
 * mid-scroll restarts the window too; only a 429 (refused before it was served) retries the
 * same scrollId. Records read twice merge by their dedupe keys. The SIGKILL test
 * (test/pulls/sigkill.test.ts) found this, and runs against both kinds of scroll.
 */
import type { PullSource, PullStep } from '../source.js';
import type { PageQuery, WorkAnalyticsClient } from './client.js';
import { WorkAnalyticsError } from './errors.js';
import { callLegEvent, callRecordEvent } from './records.js';
import { planWindows, type QueryWindow } from './windows.js';

/** The two listings read per window: call records, then their legs. */
export type WorkPart = 'records' | 'legs';

/** Where a Work Analytics pull stands: the window being read (its start), the listing, and whether all its pages landed. */
export interface WorkPosition {
  window: string;
  /** Absent in positions written before legs were pulled: read as `records`. */
  part?: WorkPart;
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
  /** Also pull /v2/call-legs (into call_legs). Default true (`pulls.workAnalytics.legs`). */
  legs?: boolean;
}

export const WORK_SOURCE = 'work-analytics';

export function workCallRecordsSource(client: WorkAnalyticsClient, options: WorkSourceOptions): PullSource<WorkPosition> {
  const parts: WorkPart[] = options.legs === false ? ['records'] : ['records', 'legs'];
  const maxAttempts = options.maxAttempts ?? 5;
  // `pageSize` is "required … the maximum value is 7000" (docs_oas/analytics/work_analytics_historical.json).
  if (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > 7000) {
    throw new WorkAnalyticsError('SB_PULL_WORK_REQUEST', `pulls.workAnalytics.pageSize must be a whole number from 1 to 7000 (8x8's maximum), not ${options.pageSize}.`, {
      configKey: 'pulls.workAnalytics.pageSize',
    });
  }
  return {
    name: WORK_SOURCE,
    description: '8x8 Work Analytics call records and legs (/v2/call-records, /v2/call-legs) → raw.work_events → calls, call_legs',
    table: 'work_events',
    family: 'work',
    retention: '2 years',
    async pull(range, position, io) {
      const plan = planWindows({ from: range.from, to: range.to, timeZone: options.timeZone, now: io.now });
      const rank = (part: WorkPart | undefined): number => parts.indexOf(part ?? 'records');
      for (const [index, window] of plan.windows.entries()) {
        const key = window.start.toISOString();
        if (position !== null && key < position.window) continue;
        const step: PullStep = { step: window.startTime.slice(0, 10), stepIndex: index + 1, steps: plan.windows.length };
        for (const part of parts) {
          // Done before: the position's window up to its listing, and that listing once its last page landed.
          if (position !== null && key === position.window && (rank(part) < rank(position.part) || (rank(part) === rank(position.part) && position.done))) continue;
          await readListing(window, key, part, step);
        }
      }
      return { skipped: plan.skipped };

      /** One listing of one window, from its start (a half-read one starts again: see above). */
      async function readListing(window: QueryWindow, key: string, part: WorkPart, step: PullStep): Promise<void> {
        let scrollId: string | null = null;
        let restarts = 0;
        for (let attempt = 1; ; ) {
          io.signal.throwIfAborted();
          let page;
          try {
            const query: PageQuery = {
              from: window.start,
              to: window.end,
              timeZone: options.timeZone,
              pageSize: options.pageSize,
              scrollId,
              signal: io.signal,
              ...(options.pbxId === undefined ? {} : { pbxId: options.pbxId }),
            };
            page = part === 'records' ? await client.callRecords(query) : await client.callLegs(query);
          } catch (error) {
            if (error instanceof WorkAnalyticsError && error.transient && attempt < maxAttempts) {
              const delay = Math.max(error.retryAfterMs ?? 0, 500 * 2 ** (attempt - 1));
              // Only a 429 surely left the scroll where it was.
              const restart = scrollId !== null && error.status !== 429;
              io.report(step, `${error.message}; retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${maxAttempts})${restart ? ', reading the window again from its start' : ''}`);
              await io.sleep(delay, io.signal);
              if (restart) scrollId = null;
              attempt += 1;
              continue;
            }
            if (error instanceof WorkAnalyticsError && error.code === 'SB_PULL_WORK_REQUEST' && scrollId !== null && restarts < maxAttempts) {
              restarts += 1;
              scrollId = null; // the scroll expired while we were away: read the window again
              continue;
            }
            throw error;
          }
          attempt = 1;
          const events = page.records.map(part === 'records' ? callRecordEvent : callLegEvent);
          await io.land(events, { window: key, part, done: page.scrollId === null }, { ...step, step: `${step.step} ${part}` });
          if (page.scrollId === null) return;
          scrollId = page.scrollId;
        }
      }
    },
  };
}
