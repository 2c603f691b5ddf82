/**
 * Page tokens, shared by datasets.list, tables.list and jobs.getQueryResults: `maxResults` caps a
 * page, and a page that is not the last one carries a token for the next (`nextPageToken` in the
 * lists, `pageToken` in query results; e.g.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables/list). The tokens are opaque
 * to the client; the fake's encode the offset and the listing they belong to, so a token of one
 * listing handed to another is refused with 400 invalid [? what BigQuery answers to a foreign or
 * stale token the docs leave open].
 */
import { BigQueryRequestError } from './errors.js';

export interface Page<T> {
  items: T[];
  /** The token of the next page; absent on the last page. */
  next?: string;
  /** The offset of the first item. */
  start: number;
}

/**
 * One page of `items`. `scope` names the listing (e.g. `tables:p:d`, `results:jobId`);
 * `startIndex` (getQueryResults only) starts at a row instead of a token.
 */
export function pageOf<T>(items: T[], scope: string, options: { maxResults?: string | null; pageToken?: string | null; startIndex?: string | null; defaultPageSize: number }): Page<T> {
  let start = 0;
  if (options.pageToken) {
    const [tokenScope, offset] = Buffer.from(options.pageToken, 'base64url').toString('utf8').split('\n');
    if (tokenScope !== scope || offset === undefined || !/^\d+$/.test(offset)) {
      throw new BigQueryRequestError('invalid', `Invalid page token: ${options.pageToken}`);
    }
    start = Number(offset);
  } else if (options.startIndex) {
    start = Number(options.startIndex);
  }
  const requested = options.maxResults ? Number(options.maxResults) : options.defaultPageSize;
  const size = Number.isFinite(requested) && requested > 0 ? requested : options.defaultPageSize;
  const end = Math.min(items.length, start + size);
  const page: Page<T> = { items: items.slice(start, end), start };
  if (end < items.length) page.next = Buffer.from(`${scope}\n${end}`, 'utf8').toString('base64url');
  return page;
}
