/**
 * Waiting for a bulk job. create_many and update_many answer at once with a job status
 * (`queued`); the work happens later, and `GET /api/v2/job_statuses/{id}` reports
 * `queued | working | completed | failed | killed` and, once completed, one result per
 * ticket (https://developer.zendesk.com/api-reference/ticketing/ticket-management/job_statuses/,
 * reference §2.3). Polling is bounded: an interval that doubles up to a ceiling, a deadline,
 * and the run's signal. A job that does not finish in time is not an error of the call:
 * its records are retried, and the retry finds whatever the job did write by external_id
 * and change tag.
 */
import { abortableSleep } from '../../../core/abortable-sleep.js';
import { TransientDestinationError } from '../../destination.js';
import type { ZendeskClient } from './client.js';
import { ZendeskResponseError, throwIfWholeCallFailed } from './errors.js';

/** One row of a completed job's `results`; which keys appear depends on the job's kind. */
export interface JobResult {
  /** Position in the request's list (create_many; update_many failures). */
  index?: number;
  /** The ticket's id. */
  id?: number;
  external_id?: string;
  /** e.g. `Created`, `Updated`. */
  status?: string;
  success?: boolean;
  /** Present when this ticket failed, e.g. `TicketUpdateFailed`. */
  error?: string;
  details?: unknown;
}

export interface JobStatus {
  id: string;
  status: 'queued' | 'working' | 'completed' | 'failed' | 'killed' | string;
  total?: number | null;
  progress?: number | null;
  message?: string | null;
  results?: JobResult[] | null;
}

export interface JobPolling {
  /** First wait before asking again; doubles each time. Default 250 ms. */
  intervalMs: number;
  /** The longest wait between two polls. Default 5 s. */
  maxIntervalMs: number;
  /** Give up (records retried) after this long. Default 120 s. */
  timeoutMs: number;
}

export const DEFAULT_JOB_POLLING: JobPolling = { intervalMs: 250, maxIntervalMs: 5_000, timeoutMs: 120_000 };

export type JobOutcome = { finished: true; job: JobStatus } | { finished: false; reason: string };

const TERMINAL = new Set(['completed', 'failed', 'killed']);

/**
 * Polls until the job is completed, failed or killed, or the deadline passes. Throws only
 * for 401/403 (PermanentDestinationError) and when the signal aborts; a 429 waits its
 * Retry-After, a 5xx or a network error waits the next interval.
 */
export async function waitForJob(client: ZendeskClient, first: JobStatus, signal: AbortSignal, polling: JobPolling): Promise<JobOutcome> {
  const deadline = Date.now() + polling.timeoutMs;
  let job = first;
  let interval = polling.intervalMs;
  let wait = interval;
  while (!TERMINAL.has(job.status)) {
    if (Date.now() + wait > deadline) {
      return { finished: false, reason: `job ${job.id} was still ${job.status} after ${polling.timeoutMs} ms` };
    }
    await abortableSleep(wait, signal); // throws the signal's reason as soon as it aborts
    interval = Math.min(interval * 2, polling.maxIntervalMs);
    wait = interval;
    try {
      const response = await client.request<{ job_status: JobStatus }>({ method: 'GET', path: `/job_statuses/${encodeURIComponent(job.id)}`, signal });
      job = response.body.job_status;
    } catch (error) {
      if (error instanceof ZendeskResponseError) {
        // Job statuses expire (an hour to a day, reference §2.3): what it did is unknown.
        if (error.status === 404) return { finished: false, reason: `job ${job.id} is no longer known to Zendesk (404)` };
        if (error.status === 429) {
          wait = Math.max(error.retryAfterMs ?? 0, interval);
          continue;
        }
        if (error.status >= 500) continue;
        throwIfWholeCallFailed(error);
        return { finished: false, reason: error.message };
      }
      if (error instanceof TransientDestinationError) continue;
      throw error;
    }
  }
  return { finished: true, job };
}
