/**
 * The fake Work Analytics' data pages (`GET /v2/call-records`, `/v2/call-legs` once the caller
 * is authenticated): the query checks, the filter and the paging.
 *
 * - Query [OAS parameters, CDR §2]: `pbxId` (a PBX name, a comma list, or `allpbxes`),
 *   `startTime`/`endTime` (`YYYY-MM-DD HH:MM:SS`, read in `timeZone`), `timeZone` (an IANA
 *   name, "Examples America/New_York, Europe/London"), `pageSize` (int32, "the maximum value is
 *   7000") are required on every request, else 400; `isConnectTime`/`isSimplified` are booleans.
 *   INFERRED: the 400 body for a bad parameter is not documented (the fake answers the SHA001
 *   shape with `details[].path` naming the parameter); that names are case-sensitive as in the
 *   tz database (Java's ZoneId, presumably behind it, is), so `america/new_york` is refused; that
 *   `pageSize` must be at least 1.
 * - Records are filtered by `startTimeUTC` in [startTime, endTime); legs by
 *   `disconnectedTimeUTC`, or `connectTimeUTC` with `isConnectTime=true` [OAS isConnectTime].
 *   OPEN: whether endTime is inclusive, and the sort order (the fake: ascending by time, callId, legId).
 * - Paging [CDR "Pagination"]: `{meta:{totalRecordCount, scrollId}, data}`; the page after the
 *   last answers `data: []`, `totalRecordCount: 0` and `scrollId: "No Data"`. The documented
 *   scrollIds change on every page and decode (base64) to `<tenant>_<callId>[_<legId>]_<startTimeUTC>`
 *   of the page's last record: a keyset cursor. So by default the fake is stateless: a scrollId
 *   names the last record served, and the same request with it answers the same next page.
 *   OPEN: that reading is ours. `scroll: 'server'` keeps the older model (one id whose position
 *   moves on every request) so the client can be tested against both. An undecodable or
 *   unknown scrollId is 400.
 *
 * Sources, as in index.ts: in the public repo `8x8Cloud/public-developer-docs` (snapshot
 * 859e59a, 2026-07-23), [OAS] `docs_oas/analytics/work_analytics_historical.json`, [CDR]
 * `docs/analytics/docs/work-analytics-call-detail-records.md`, and ../shared/reference/8x8.md
 * §4.2 (our notes on both).
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';

export type WorkRecord = Record<string, unknown>;

const QUERY_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** The tenant the fake's scrollIds carry, as `supertenantcsm` in the docs' examples. */
const TENANT = 'acmetenant';

/** A `server` scroll: what remains to serve. */
interface Scroll {
  rows: WorkRecord[];
  offset: number;
  pageSize: number;
}

export class Pages {
  /** `server` scrolls: scrollId → what remains to serve. */
  private readonly scrolls = new Map<string, Scroll>();

  /**
   * @param scrollMode see FakeWorkAnalyticsOptions.scroll
   * @param pbxes the PBX names the user may see, read on each request
   * @param username the user, named in a 403
   */
  constructor(
    private readonly scrollMode: 'stateless' | 'server',
    private readonly pbxes: () => Set<string>,
    private readonly username: string,
  ) {}

  page(rows: WorkRecord[], legs: boolean, query: URLSearchParams, path: string): { status: number; body: unknown } {
    // INFERRED: the shape of a bad-parameter 400 is not documented; the SHA001 one's, naming the parameter.
    const bad = (parameter: string, message: string) => ({
      status: 400,
      body: { status: 400, message, code: 'SHA002', details: [{ type: 'invalidValue', location: 'query', path: [parameter], hint: message }] },
    });
    const pageSizeText = query.get('pageSize') ?? '';
    const pageSize = Number(pageSizeText);
    // [OAS] pageSize: integer, int32, "the maximum value is 7000". INFERRED: at least 1.
    if (!/^\d+$/.test(pageSizeText) || pageSize < 1 || pageSize > 7000) return bad('pageSize', 'pageSize is required: a whole number from 1 to 7000');
    const pbxId = query.get('pbxId') ?? '';
    if (pbxId === '') return bad('pbxId', 'pbxId is required');
    // [CDR] "the pbxId (PBX Name) … or comma separated list of pbxIds or allpbxes"; [OAS 403] for one the user may not see.
    const denied = pbxId === 'allpbxes' ? undefined : pbxId.split(',').find((name) => !this.pbxes().has(name));
    if (denied !== undefined) {
      const message = `user(${this.username}) does not have access to pbxId(${denied}) to make this request.`;
      return { status: 403, body: { timeStamp: DateTime.utc().toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ"), status: 403, error: 'Access Denied', exception: message, message, path: `/api/analytics/report/external${path}` } };
    }
    for (const flag of ['isConnectTime', 'isSimplified']) {
      const value = query.get(flag);
      if (value !== null && value !== 'true' && value !== 'false') return bad(flag, `${flag} must be true or false`); // [OAS] type boolean
    }
    const timeZone = query.get('timeZone') ?? '';
    const startTime = query.get('startTime') ?? '';
    const endTime = query.get('endTime') ?? '';
    if (!QUERY_TIME.test(startTime)) return bad('startTime', 'startTime must be YYYY-MM-DD HH:MM:SS');
    if (!QUERY_TIME.test(endTime)) return bad('endTime', 'endTime must be YYYY-MM-DD HH:MM:SS');
    if (!isIanaName(timeZone)) return bad('timeZone', `Unknown time zone ${timeZone}: use an IANA name such as America/New_York`);
    const start = DateTime.fromFormat(startTime, 'yyyy-MM-dd HH:mm:ss', { zone: timeZone });
    const end = DateTime.fromFormat(endTime, 'yyyy-MM-dd HH:mm:ss', { zone: timeZone });
    if (!start.isValid || !end.isValid) return bad('startTime', 'startTime and endTime must be valid times');

    const scrollId = query.get('scrollId');
    if (this.scrollMode === 'server' && scrollId) {
      const scroll = this.scrolls.get(scrollId);
      if (!scroll) return bad('scrollId', 'Unknown scrollId');
      return this.serve(scrollId, scroll);
    }
    const field = !legs ? 'startTimeUTC' : query.get('isConnectTime') === 'true' ? 'connectTimeUTC' : 'disconnectedTimeUTC';
    const key = (row: WorkRecord): [number, string, string] => [Number(row[field]), String(row['callId']), String(row['legId'] ?? '')];
    const selected = rows
      .filter((row) => {
        const at = Number(row[field]);
        return at >= start.toMillis() && at < end.toMillis() && (pbxId === 'allpbxes' || pbxId.split(',').includes(String(row['pbxId'] ?? 'acmecorp')));
      })
      .sort((a, b) => compareKeys(key(a), key(b)));
    if (this.scrollMode === 'server') {
      const id = Buffer.from(`${randomBytes(9).toString('hex')}:${legs ? 'legs' : 'calls'}`).toString('base64');
      const scroll = { rows: selected, offset: 0, pageSize };
      this.scrolls.set(id, scroll);
      return this.serve(id, scroll);
    }
    // Stateless: the scrollId is the last record served, `<tenant>_<callId>[_<legId>]_<time>` in base64 (as the docs' decode).
    let from = 0;
    if (scrollId) {
      const after = readScrollId(scrollId, legs);
      if (after === null) return bad('scrollId', 'Invalid scrollId');
      from = selected.findIndex((row) => compareKeys(key(row), after) > 0);
      if (from === -1) from = selected.length;
    }
    const data = selected.slice(from, from + pageSize);
    const last = data[data.length - 1];
    if (last === undefined) return { status: 200, body: { meta: { totalRecordCount: 0, scrollId: 'No Data' }, data } };
    const [time, callId, legId] = key(last);
    const next = Buffer.from(legs ? `${TENANT}_${callId}_${legId}_${time}` : `${TENANT}_${callId}_${time}`).toString('base64').replace(/=+$/, '');
    return { status: 200, body: { meta: { totalRecordCount: selected.length, scrollId: next }, data } };
  }

  private serve(id: string, scroll: Scroll): { status: number; body: unknown } {
    const data = scroll.rows.slice(scroll.offset, scroll.offset + scroll.pageSize);
    scroll.offset += data.length;
    if (data.length === 0) this.scrolls.delete(id);
    return { status: 200, body: { meta: { totalRecordCount: data.length === 0 ? 0 : scroll.rows.length, scrollId: data.length === 0 ? 'No Data' : id }, data } };
  }
}

/** A scrollId the stateless fake issued, read back as the key of the record it names; null when it is not one. */
function readScrollId(scrollId: string, legs: boolean): [number, string, string] | null {
  const parts = Buffer.from(scrollId, 'base64').toString('utf8').split('_');
  const time = Number(parts.pop());
  const legId = legs ? parts.pop() : '';
  const callId = parts.pop();
  if (parts.join('_') !== TENANT || callId === undefined || legId === undefined || !Number.isFinite(time)) return null;
  return [time, callId, legId];
}

function compareKeys(a: [number, string, string], b: [number, string, string]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/**
 * A tz database name, spelled as the database spells it: known to Intl and not changed by its
 * case folding (`america/new_york` is refused), never a bare offset (`+05:00`).
 */
export function isIanaName(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9][A-Za-z0-9_+-]*)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  // Intl folds case and links (US/Eastern → America/New_York); the name itself must be spelled right.
  return zone.split('/').every((segment) => /^[A-Z]/.test(segment));
}
