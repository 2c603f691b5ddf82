/**
 * The fake Zendesk's bulk jobs (Job Statuses,
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/job_statuses/): a job
 * is `queued`; `GET /job_statuses/{id}` moves it `working` and then `completed` (after
 * `jobPolls` polls, or `jobMs` after it was queued whether anyone polls or not), and only
 * then are the writes made and `results` filled; `GET /job_statuses` lists recent jobs.
 *
 * The job limit (Rate limits page, "Job limit",
 * https://developer.zendesk.com/api-reference/introduction/rate-limits/; also
 * https://rate-limits.apis.io/rate-limits/zendesk/zendesk-rate-limits/): at most `maxJobs` (30)
 * jobs queued or running per account; one more bulk call answers 429 with Retry-After and
 * `{"error":"TooManyJobs",…}` [docs leave open the exact status and body; 429 + Retry-After is
 * how the page says every limit answers].
 */
import type { Exchange } from './exchange.js';

export interface Job {
  id: string;
  status: 'queued' | 'working' | 'completed' | 'failed' | 'killed';
  total: number;
  polls: number;
  run: () => unknown[];
  results: unknown[] | null;
  endAs: 'failed' | 'killed' | null;
  timer: NodeJS.Timeout | undefined;
}

/** The fake's knobs the jobs read when they need them (tests change them on the fly). */
export interface JobPace {
  readonly jobMs: number;
  readonly jobPolls: number;
}

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private nextJob = 1;
  private failJob: 'failed' | 'killed' | null = null;

  constructor(
    private readonly pace: JobPace,
    private readonly maxJobs: number,
    private readonly baseUrl: () => string,
  ) {}

  /** The next bulk job ends `failed` (or `killed`) without doing anything. */
  failNext(status: 'failed' | 'killed'): void {
    this.failJob = status;
  }

  /** Runs every queued job to completion now, as Zendesk would while nobody polls. */
  completeAll(): void {
    for (const job of this.jobs.values()) this.finish(job);
  }

  /** Queues `count` jobs of another integration that never finish on their own. */
  addForeign(count: number): void {
    for (let i = 0; i < count; i++) {
      const job = this.queue(1, () => []);
      clearTimeout(job.timer);
    }
  }

  /** Forgets every job and a scripted job failure. */
  reset(): void {
    this.stopTimers();
    this.jobs.clear();
    this.failJob = null;
  }

  stopTimers(): void {
    for (const job of this.jobs.values()) clearTimeout(job.timer);
  }

  queue(total: number, run: () => unknown[]): Job {
    const job: Job = { id: `job${String(this.nextJob++).padStart(8, '0')}`, status: 'queued', total, polls: 0, run, results: null, endAs: this.failJob, timer: undefined };
    this.failJob = null;
    this.jobs.set(job.id, job);
    if (Number.isFinite(this.pace.jobMs)) job.timer = setTimeout(() => this.finish(job), this.pace.jobMs).unref();
    return job;
  }

  json(job: Job): Record<string, unknown> {
    const done = job.status === 'completed';
    return {
      id: job.id,
      url: `${this.baseUrl()}/api/v2/job_statuses/${job.id}.json`,
      total: job.total,
      progress: done ? job.total : job.status === 'working' ? 0 : null,
      status: job.status,
      message: done ? `Completed at ${new Date().toISOString()}` : job.status === 'failed' ? 'Job failed' : null,
      results: job.results,
    };
  }

  /** The job limit (see the top of this file): answers 429 TooManyJobs and returns true when the account is at it. */
  tooMany(ex: Exchange): boolean {
    const running = [...this.jobs.values()].filter((j) => !isDone(j)).length;
    if (running < this.maxJobs) return false;
    ex.send(429, { error: 'TooManyJobs', description: `The account already has ${running} jobs queued or running (at most ${this.maxJobs})` }, { 'retry-after': '10' });
    return true;
  }

  /** `GET /job_statuses` and `GET /job_statuses/{id}`; false for any other request. */
  handle(ex: Exchange): boolean {
    const { method, path } = ex;
    if (method === 'GET' && path === '/api/v2/job_statuses') {
      // Recent jobs of the account, those still running first (List Job Statuses).
      const list = [...this.jobs.values()].sort((a, b) => Number(isDone(a)) - Number(isDone(b)) || b.id.localeCompare(a.id)).slice(0, 100);
      return ex.send(200, { job_statuses: list.map((job) => this.json(job)), next_page: null, previous_page: null, count: list.length });
    }
    const jobPath = /^\/api\/v2\/job_statuses\/([^/]+)$/.exec(path);
    if (method === 'GET' && jobPath !== null) {
      const job = this.jobs.get(decodeURIComponent(jobPath[1] as string));
      if (job === undefined) return ex.notFound();
      job.polls += 1;
      if (job.status === 'queued' || job.status === 'working') {
        if (job.polls > this.pace.jobPolls) this.finish(job);
        else job.status = 'working';
      }
      return ex.send(200, { job_status: this.json(job) });
    }
    return false;
  }

  private finish(job: Job): void {
    if (isDone(job)) return;
    if (job.endAs !== null) {
      job.status = job.endAs;
      return;
    }
    job.results = job.run();
    job.status = 'completed';
  }
}

function isDone(job: Job): boolean {
  return job.status === 'completed' || job.status === 'failed' || job.status === 'killed';
}
