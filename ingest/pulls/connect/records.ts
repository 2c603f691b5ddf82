/**
 * What a Connect log-export CSV row lands as: a raw event whose body is the row exactly as
 * in the file (`JSON.stringify` of header → string, headers as 8x8 spells them, values
 * untouched, masked `msisdn`/`body` included), keyed by the row's own ids:
 *
 * - SMS `pull:sms:<umid>` (`SMS_LOG_EXPORT`), Chat Apps `pull:chatapps:<umid>`
 *   (`CHATAPPS_LOG_EXPORT`);
 * - Voice `pull:voice:<SessionId>:<CallId>` (`VOICE_LOG_EXPORT`); CallId may be empty.
 *
 * The SMS and Voice columns are documented (`docs_oas/connect/sms_api.json`, "SMS Logs files
 * format" under `GET …/messages/exports/{jobId}`; `voice_v1_api.json` and
 * ../shared/reference/8x8.md §2.7), so a file without their id columns is refused. The Chat Apps
 * columns are NOT documented (`docs_oas/connect/business_messaging_api.json` lists none), so a
 * Chat Apps file is read whatever its columns: `umid` is looked for in any case (`umid`,
 * `UMID`, `Umid`), and a row without one lands as `pull:chatapps:digest:<16 hex of the row>`,
 * which the source reports once per run (SB_PULL_CONNECT_ROW_DIGEST_KEY) instead of failing.
 *
 * Parsing the times, prices and direction codes is the models' job, not this one.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import type { PulledEvent } from '../land.js';
import type { ConnectProduct } from './client.js';
import { ConnectExportError } from './errors.js';

/** One CSV row: header → value, as in the file. */
export type ExportRow = Record<string, string>;

export type ConnectEventType = 'SMS_LOG_EXPORT' | 'CHATAPPS_LOG_EXPORT' | 'VOICE_LOG_EXPORT';

export const CONNECT_EVENT_TYPES: Readonly<Record<ConnectProduct, ConnectEventType>> = {
  sms: 'SMS_LOG_EXPORT',
  chatapps: 'CHATAPPS_LOG_EXPORT',
  voice: 'VOICE_LOG_EXPORT',
};

/** The columns a product's dedupe key is made of; each must be in the file's header (Chat Apps: see identityOf). */
export const CONNECT_KEY_COLUMNS: Readonly<Record<ConnectProduct, readonly string[]>> = {
  sms: ['umid'],
  chatapps: [],
  voice: ['SessionId', 'CallId'],
};

/** Throws SB_PULL_CONNECT_CSV when the header lacks a key column. */
export function checkExportHeader(product: ConnectProduct, header: readonly string[]): void {
  for (const column of CONNECT_KEY_COLUMNS[product]) {
    if (!header.includes(column)) {
      throw new ConnectExportError(
        'SB_PULL_CONNECT_CSV',
        `The ${product} log export has no "${column}" column (header: ${header.join(',').slice(0, 300)}), so its rows cannot be keyed. ` +
          `Check pulls.connect.${product}Url points at the 8x8 Connect ${product} API, and report the header to 8x8 if it does.`,
        { configKey: `pulls.connect.${product}Url` },
      );
    }
  }
}

/**
 * A Chat Apps row's `umid` (its column looked up in any case), or null when the file has no
 * such column or the row's is empty: the export's columns are not documented.
 */
export function chatAppsUmid(row: ExportRow): string | null {
  const column = 'umid' in row ? 'umid' : Object.keys(row).find((name) => name.trim().toLowerCase() === 'umid');
  const value = column === undefined ? '' : (row[column] ?? '').trim();
  return value === '' ? null : value;
}

/** A CSV row as a landing event. */
export function exportRowEvent(product: ConnectProduct, row: ExportRow): PulledEvent {
  const body = JSON.stringify(row);
  const eventType = CONNECT_EVENT_TYPES[product];
  if (product === 'chatapps') {
    const umid = chatAppsUmid(row);
    // No identity: the row's content is its key (land.ts adds the same digest again as the version).
    const key = umid === null ? `pull:chatapps:digest:${createHash('sha256').update(body).digest('hex').slice(0, 16)}` : `pull:chatapps:${umid}`;
    return { dedupeKey: key, eventType, body };
  }
  if (product === 'voice') {
    const sessionId = required(product, row, 'SessionId');
    // A session that never produced a call leg has an empty CallId: keyed by the session alone.
    const callId = (row['CallId'] ?? '').trim();
    return { dedupeKey: `pull:voice:${sessionId}:${callId}`, eventType, body };
  }
  return { dedupeKey: `pull:${product}:${required(product, row, 'umid')}`, eventType, body };
}

function required(product: ConnectProduct, row: ExportRow, column: string): string {
  const value = (row[column] ?? '').trim();
  if (value !== '') return value;
  throw new ConnectExportError(
    'SB_PULL_CONNECT_RECORD_INVALID',
    `A ${product} log-export row has an empty ${column}, so it has no dedupe key: ${JSON.stringify(row).slice(0, 200)}. Report it to 8x8 with the row shown; every row should have one.`,
  );
}

/**
 * The rows of one downloaded CSV, streamed (a file never sits in memory whole). The header
 * is checked for the key columns; quoted fields with commas and newlines are read as one
 * value. Unreadable CSV is SB_PULL_CONNECT_CSV; a connection cut mid-file is transient
 * (SB_PULL_CONNECT_UNAVAILABLE) so the caller re-downloads and skips what it has.
 */
export async function* readExportRows(product: ConnectProduct, csv: Readable, signal?: AbortSignal): AsyncGenerator<ExportRow> {
  // Set by csv-parse when it reads the first line (an object: TS does not track closures).
  const seen: { header: string[] | null } = { header: null };
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    columns: (names: string[]) => {
      seen.header = names;
      return names;
    },
  });
  const piped = pipeline(csv, parser, signal ? { signal } : {});
  piped.catch(() => undefined); // the same error reaches the loop below
  let checked = false;
  try {
    for await (const record of parser as AsyncIterable<ExportRow>) {
      if (!checked) {
        checkExportHeader(product, seen.header ?? Object.keys(record));
        checked = true;
      }
      yield record;
    }
    if (!checked && seen.header !== null) checkExportHeader(product, seen.header);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof ConnectExportError) throw error;
    if (error instanceof CsvError) {
      throw new ConnectExportError('SB_PULL_CONNECT_CSV', `The ${product} log export is not readable CSV: ${error.message}. Report it to 8x8 with the job id; pulling again re-downloads it.`, {
        cause: error,
      });
    }
    throw new ConnectExportError('SB_PULL_CONNECT_UNAVAILABLE', `The ${product} log export download broke off: ${(error as Error).message}`, { cause: error });
  } finally {
    csv.destroy();
    parser.destroy();
  }
}
