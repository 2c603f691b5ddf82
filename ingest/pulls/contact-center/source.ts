/**
 * Contact Center interactions as a pull source (`cc-interactions`), landing in
 * `<rawSchema>.contact_center_events` beside the CC webhooks. The range is cut into UTC
 * windows of `windowHours`; for each window a detailed report is created (it is done on
 * creation, ../shared/reference/8x8.md §3.3) and read page by page via `Last-Document-Id`.
 *
 * Position (`CcPosition`): the report id lands (with no events) right after the report is
 * created, so a killed pull resumes on the same report; then every page lands with the
 * next page's `lastDocumentId`; the window's last page lands with `done: true`. On resume,
 * windows before the position's are skipped, a done window is skipped, and an open one
 * continues its report from `lastDocumentId`. If 8x8 no longer has that report (404), a new
 * one is created for the window and read from its start: the dedupe keys
 * (`pull:cc:<interactionId>`) make re-landing what had landed harmless.
 */
import { planUtcWindows } from '../utc-windows.js';
import type { PullStep, PullSource } from '../source.js';
import type { CcAnalyticsClient } from './client.js';
import { CcAnalyticsError } from './errors.js';
import { ccRowEvents } from './records.js';

/**
 * Where a `cc-interactions` pull stands.
 * @example { window: '2026-03-08T00:00:00.000Z', reportId: 'a1b2', lastDocumentId: 'doc-77', done: false }
 */
export interface CcPosition {
  /** The window being read, as its start instant (ISO, UTC). */
  window: string;
  /** The window's report (created before its first page). */
  reportId: string;
  /** The next page's cursor; null before the first page, and once the window is done. */
  lastDocumentId: string | null;
  /** True once the window's last page has landed: resume goes on with the next window. */
  done: boolean;
}

export interface CcSourceOptions {
  /** Rows per page, 1…1000 (`pulls.ccInteractions.pageSize`). Default 1000. */
  pageSize?: number;
  /** Hours per report (`pulls.ccInteractions.windowHours`). Default 24. */
  windowHours?: number;
  /** Attempts per request on transient failures (429, 5xx, timeouts). Default 5. */
  maxAttempts?: number;
  /** Optional IANA zone passed as the report's `timezone`; windows are UTC either way. */
  timeZone?: string;
}

export const CC_SOURCE = 'cc-interactions';

interface Window {
  key: string;
  start: Date;
  end: Date;
}

export function ccInteractionsSource(client: CcAnalyticsClient, options: CcSourceOptions = {}): PullSource<CcPosition> {
  const pageSize = options.pageSize ?? 1000;
  const windowMs = (options.windowHours ?? 24) * 3_600_000;
  const maxAttempts = options.maxAttempts ?? 5;
  if (!(windowMs > 0)) throw new RangeError('windowHours must be positive (pulls.ccInteractions.windowHours)');

  return {
    name: CC_SOURCE,
    description: '8x8 Contact Center Historical Analytics, detailed interactions (detailed-reports) → raw.contact_center_events',
    table: 'contact_center_events',
    family: 'contact-center',
    async pull(range, position, io) {
      const plan = planUtcWindows(range, io.now, windowMs);
      const windows: Window[] = plan.windows.map((w) => ({ key: w.from.toISOString(), start: w.from, end: w.to }));
      const { skipped } = plan;
      // A position from another window size (config changed between runs) matches no window: start over, dedupe keys make it harmless.
      const resume = position !== null && windows.some((w) => w.key === position.window) ? position : null;

      /** One request, retried while transient, waiting at least Retry-After. */
      const retrying = async <T>(step: PullStep, request: () => Promise<T>): Promise<T> => {
        for (let attempt = 1; ; attempt += 1) {
          io.signal.throwIfAborted();
          try {
            return await request();
          } catch (error) {
            if (!(error instanceof CcAnalyticsError && error.transient && attempt < maxAttempts)) throw error;
            const delay = Math.max(error.retryAfterMs ?? 0, 500 * 2 ** (attempt - 1));
            io.report(step, `${error.message} Retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${maxAttempts}).`);
            await io.sleep(delay, io.signal);
          }
        }
      };

      for (const [index, window] of windows.entries()) {
        if (resume !== null && (window.key < resume.window || (window.key === resume.window && resume.done))) continue;
        const step = (): PullStep => ({ step: window.key.slice(0, 16), stepIndex: index + 1, steps: windows.length });
        const at = (reportId: string, lastDocumentId: string | null, done = false): CcPosition => ({ window: window.key, reportId, lastDocumentId, done });
        const create = async (): Promise<string> => {
          const report = await retrying(step(), () =>
            client.createReport({ start: window.start, end: window.end, signal: io.signal, ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }) }),
          );
          // Record the report before reading it, so a kill resumes on it instead of creating another.
          await io.land([], at(report.id, null), step());
          return report.id;
        };

        const open = resume !== null && window.key === resume.window ? resume : null;
        let reportId = open?.reportId ?? (await create());
        let lastDocumentId = open?.lastDocumentId ?? null;
        let recreated = false;
        for (;;) {
          io.signal.throwIfAborted();
          let page;
          try {
            page = await retrying(step(), () => client.readPage(reportId, { size: pageSize, lastDocumentId, signal: io.signal }));
          } catch (error) {
            // 8x8 keeps reports only so long: a report from before the kill may be gone. Once per window.
            if (error instanceof CcAnalyticsError && error.code === 'SB_PULL_CC_REPORT_GONE' && !recreated) {
              recreated = true;
              io.report(step(), `report ${reportId} is gone; creating a new one for ${window.key} and reading the window again`);
              reportId = await create();
              lastDocumentId = null;
              continue;
            }
            throw error;
          }
          const events = page.rows.flatMap(ccRowEvents);
          const done = page.nextLastDocumentId === null;
          await io.land(events, at(reportId, page.nextLastDocumentId, done), step());
          if (done) break;
          lastDocumentId = page.nextLastDocumentId;
        }
      }
      return { skipped };
    },
  };
}
