/**
 * The fake CC Historical Analytics' detailed reports: creating one (`POST …/detailed-reports`,
 * checked as the docs check it) and reading its pages (`GET …/detailed-reports/{id}/data`).
 * "The detailed-report page" is `docs/analytics/docs/cc-historical-analytics-detailed-report.md`
 * in 8x8Cloud/public-developer-docs (snapshot 859e59a3).
 */
import { randomBytes } from 'node:crypto';
import { DateTime, IANAZone } from 'luxon';
import { instant, toRow, type CcInteraction } from './rows.js';

/** The documented title characters: "letters from A to Z, a to z, 0 to 9, whitespaces or ! - _ . * ' ( )" (detailed-report page, §4 Body). */
const TITLE = /^[A-Za-z0-9\s!\-_.*'()]+$/;
/** "The entered values should follow the ISO 8061 standard (YYYY-MM-DDTHH:MM:SS.SSSZ)" (detailed-report page, §4 Body). */
const DATE_RANGE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Report {
  rows: { docId: string; interaction: CcInteraction }[];
  includeParticipants: boolean;
}

/** What a handler answers: a status, a JSON body and headers. */
export interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The parts of the fake the reports read and fill (the fake's public fields). */
export interface ReportsHost {
  /** What reports are built from, read when a report is created. */
  interactions: CcInteraction[];
  reportsCreated: string[];
  reportRequests: Record<string, unknown>[];
  baseUrl: string;
}

const bad = (message: string) => ({ status: 400, body: { status: 400, error: 'Bad Request', message }, headers: {} });

export class Reports {
  private readonly reports = new Map<string, Report>();
  private failedReports = 0;
  // The page's sample ids are integers (`{"id": 2710192, "status": "DONE"}`; the OpenAPI says integer, int64).
  private nextReportId = 2_710_192;

  /** @param zone the tenant's zone the rows' times are rendered in, e.g. `UTC+03:00`. */
  constructor(
    private readonly fake: ReportsHost,
    private readonly zone: string,
  ) {}

  /** The next `n` report creations answer `status: "FAILED"`. */
  failNext(n: number): void {
    this.failedReports += n;
  }

  /** Forgets every report (8x8 expiring them). */
  drop(): void {
    this.reports.clear();
  }

  /**
   * The documented body (detailed-report page, §4 "Creating a report", Body table, and the
   * OpenAPI `DetailedReportDefinitionRequest`): `type` and `title` required, `dateRange`
   * required with `start`/`end` as `YYYY-MM-DDTHH:MM:SS.SSSZ`; `timezone` an IANA zone;
   * `includeParticipants` and the `reportSettings` flags booleans; `metrics` an array of
   * strings; `searchQuery` an array. The page documents no error body for these refusals
   * (the OpenAPI lists `400: Bad request` without a schema); the only documented wording is
   * the X-Tenant-Info one, "HTTP 400 … Bad request: <reason>.", which the fake follows.
   * Open: whether 8x8 also refuses `end` before `start`, and which zones a tenant allows.
   */
  create(text: string): Outcome {
    let json: {
      type?: unknown;
      title?: unknown;
      dateRange?: { start?: unknown; end?: unknown };
      timezone?: unknown;
      includeParticipants?: unknown;
      metrics?: unknown;
      searchQuery?: unknown;
      reportSettings?: Record<string, unknown>;
    };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      return bad('Bad request: body is not JSON.');
    }
    if (json.type !== 'detailed-reports-interaction-details') return bad(`Bad request: unsupported report type ${String(json.type)}.`);
    if (typeof json.title !== 'string' || json.title.trim() === '') return bad('Bad request: title is required.');
    if (!TITLE.test(json.title)) return bad("Bad request: title allows only letters A-Z a-z, digits 0-9, whitespace and ! - _ . * ' ( ).");
    const startText = json.dateRange?.start;
    const endText = json.dateRange?.end;
    if (typeof startText !== 'string' || typeof endText !== 'string' || !DATE_RANGE.test(startText) || !DATE_RANGE.test(endText)) {
      return bad('Bad request: dateRange.start and dateRange.end must be YYYY-MM-DDTHH:MM:SS.SSSZ.');
    }
    const start = DateTime.fromISO(startText);
    const end = DateTime.fromISO(endText);
    if (!start.isValid || !end.isValid || end < start) return bad('Bad request: dateRange.start must not be after dateRange.end.');
    if (json.timezone !== undefined && (typeof json.timezone !== 'string' || !IANAZone.isValidZone(json.timezone))) return bad('Bad request: timezone must be an IANA time zone.');
    if (json.includeParticipants !== undefined && typeof json.includeParticipants !== 'boolean') return bad('Bad request: includeParticipants must be a boolean.');
    if (json.metrics !== undefined && !(Array.isArray(json.metrics) && json.metrics.every((m) => typeof m === 'string'))) return bad('Bad request: metrics must be an array of metric names.');
    if (json.searchQuery !== undefined && !Array.isArray(json.searchQuery)) return bad('Bad request: searchQuery must be an array.');
    for (const flag of ['showOngoingInteractions', 'showInteractionsStateInTime']) {
      const value = json.reportSettings?.[flag];
      if (value !== undefined && typeof value !== 'boolean') return bad(`Bad request: reportSettings.${flag} must be a boolean.`);
    }
    const id = this.nextReportId++;
    this.fake.reportsCreated.push(String(id));
    this.fake.reportRequests.push(json as Record<string, unknown>);
    if (this.failedReports > 0) {
      this.failedReports -= 1;
      return { status: 200, body: { id, status: 'FAILED' } };
    }
    // "only events and records on or after [start]" and "on or before [end]" (Body table): both ends are included.
    const selected = this.fake.interactions
      .map((interaction) => ({ interaction, at: instant(interaction['creationTime']) }))
      .filter(({ at }) => at !== null && at >= start.toMillis() && at <= end.toMillis())
      .sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
    this.reports.set(String(id), {
      rows: selected.map(({ interaction }) => ({ docId: randomBytes(12).toString('hex'), interaction })),
      includeParticipants: json.includeParticipants === true,
    });
    return { status: 200, body: { id, status: 'DONE' } };
  }

  page(id: string, url: URL): Outcome {
    const report = this.reports.get(id);
    if (!report) return { status: 404, body: { status: 404, error: 'Not Found', message: `Report ${id} not found` }, headers: {} };
    const size = Number(url.searchParams.get('size') ?? '100');
    if (!Number.isInteger(size) || size < 1 || size > 1000) return bad('size must be between 1 and 1000');
    const last = url.searchParams.get('lastDocumentId');
    let offset = 0;
    if (last) {
      const at = report.rows.findIndex((row) => row.docId === last);
      if (at < 0) return bad(`Unknown lastDocumentId ${last}`);
      offset = at + 1;
    }
    const rows = report.rows.slice(offset, offset + size);
    const headers: Record<string, string> = {
      'x-page-size': String(size),
      'x-total-pages': String(Math.ceil(report.rows.length / size)),
      'x-total-elements': String(report.rows.length),
    };
    const lastRow = rows[rows.length - 1];
    if (offset + rows.length < report.rows.length && lastRow) {
      headers['last-document-id'] = lastRow.docId;
      const next = new URL(url.href.replace('http://fake', this.fake.baseUrl.replace(/\/analytics\/.*$/, '')));
      next.searchParams.set('lastDocumentId', lastRow.docId);
      headers['link'] = `<${next.href}>; rel="next"`;
    }
    return { status: 200, body: rows.map(({ interaction }) => toRow(interaction, this.zone, report.includeParticipants)), headers };
  }
}
