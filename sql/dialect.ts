/**
 * SQL dialects: {@link DialectBase} (sql/dialect-base.ts) writes tables, upserts and merges;
 * {@link SqlDialect} adds the portable macros that model templates call. A warehouse's
 * dialect extends SqlDialect and overrides only where its SQL differs. Never
 * `switch (dialect.name)`.
 */
import { SqlError } from './errors.js';
import { DialectBase, type LogicalType } from './dialect-base.js';

export * from './dialect-base.js';

export abstract class SqlDialect extends DialectBase {
  // ---- Model macros --------------------------------------------------------------------
  // Portable building blocks that model templates call (render.ts exposes them as macros).
  // The base class writes the SQL most warehouses share; each warehouse overrides where its
  // SQL differs. Every expression argument is SQL text and may be repeated in the output, so
  // pass a column, not an expensive expression.

  /**
   * True when the text `expr` matches `pattern` in full. Patterns are written without
   * backslashes (`[0-9]`, not `\d`) so the same literal means the same on all four.
   * The default is Postgres' POSIX operator.
   */
  regexMatches(expr: string, pattern: string): string {
    return `(${expr} ~ ${this.stringLiteral(`^(?:${pattern})$`)})`;
  }

  /**
   * `expr` (text) cast to `type`, or NULL when it does not parse, so one malformed event
   * never fails a build. What parses is the same on every warehouse: a pattern per type
   * ({@link SAFE_CAST_PATTERNS}: `42`, `-1.5e3`, `true`/`FALSE`, `2025-03-04T10:02:11Z`;
   * not ` 42`, `1.5` as an integer, `yes` or `2025-02-30`), and at most 200 characters,
   * guard {@link tryCast}.
   * @example safeCast('segments_text', 'integer') → `CASE WHEN LENGTH(segments_text) <= 200 AND (segments_text ~ '^(?:[-+]?[0-9]{1,9})$') THEN CAST(segments_text AS integer) END`
   */
  safeCast(expr: string, type: LogicalType): string {
    const guard = SAFE_CAST_PATTERNS[type];
    const value = type === 'boolean' ? `LOWER(${expr})` : expr;
    if (guard === undefined) return this.tryCast(expr, type);
    return `CASE WHEN LENGTH(${value}) <= ${MAX_CAST_LENGTH} AND ${this.regexMatches(value, guard)} THEN ${this.tryCast(value, type)} END`;
  }

  /**
   * The warehouse's own cast of text `expr` to `type`; NULL rather than an error where the
   * warehouse has TRY_CAST or SAFE_CAST. The default is a plain CAST, which the patterns of
   * {@link safeCast} keep from failing (timestamps lose digits past the microsecond first,
   * see {@link truncateMicros}).
   */
  protected tryCast(expr: string, type: LogicalType): string {
    return `CAST(${type === 'timestamp' ? this.truncateMicros(expr) : expr} AS ${this.typeName(type)})`;
  }

  /** An ISO-8601 text with a zone (`Z`, `+07:00`, `-0500`, `+03`) as a UTC timestamp; NULL if it is not one. */
  isoToTimestamp(expr: string): string {
    return `CASE WHEN ${this.regexMatches(expr, ISO_WITH_ZONE)} THEN CAST(${this.truncateMicros(expr)} AS ${this.typeName('timestamp')}) END`;
  }

  /**
   * Date-time text with fraction digits past the sixth cut off: Postgres rounds them to the
   * microsecond (`…11.1239996` → `…11.124`), while 8x8 sends 7 digits and
   * core/normalize/time.ts truncates, never rounds.
   */
  protected truncateMicros(expr: string): string {
    return `REGEXP_REPLACE(${expr}, ${this.stringLiteral('([.][0-9]{6})[0-9]+')}, ${this.stringLiteral('\\1')})`;
  }

  /** A number of seconds since the epoch (fractions allowed) as a UTC timestamp. */
  epochSecondsToTimestamp(seconds: string): string {
    return `TO_TIMESTAMP(${seconds})`;
  }

  /**
   * A zone-less local date-time (of {@link localDateTimeType}) read in the IANA `zone`, as a UTC timestamp. On the
   * ambiguous hour when clocks go back, warehouses pick the later (standard-time) instant;
   * {@link SqlDialect.toUtc} corrects that to the earlier one, as core/normalize/time.ts does.
   * @example localToTimestamp(`CAST('2025-03-04 07:06:52' AS TIMESTAMP)`, 'America/New_York') → 2025-03-04 12:06:52+00
   */
  localToTimestamp(expr: string, zone: string): string {
    return `(${expr} AT TIME ZONE ${this.stringLiteral(zone)})`;
  }

  /** The zone-less date-time type (`TIMESTAMP`; BigQuery `DATETIME`, Snowflake `TIMESTAMP_NTZ`). */
  protected get localDateTimeType(): string {
    return 'TIMESTAMP';
  }

  /** Text that matched {@link ISO_LOCAL} (`2025-03-04T07:06:52.1234567`, `2025-03-04`) as a {@link localDateTimeType}. */
  protected localDateTime(text: string): string {
    return `CAST(${this.truncateMicros(`REPLACE(${text}, 'T', ' ')`)} AS ${this.localDateTimeType})`;
  }

  /** A {@link localDateTimeType} value plus whole seconds (BigQuery needs DATETIME_ADD for those). */
  protected addSecondsLocal(local: string, seconds: number): string {
    return this.addSeconds(local, seconds);
  }

  /** A UTC timestamp as the zone-less wall-clock time in the IANA `zone`. */
  timestampToLocal(expr: string, zone: string): string {
    return `(${expr} AT TIME ZONE ${this.stringLiteral(zone)})`;
  }

  /** `ts` plus a whole number of seconds (negative to subtract). */
  addSeconds(ts: string, seconds: number): string {
    if (!Number.isInteger(seconds)) throw new SqlError('SB_SQL_INVALID_TABLE', `addSeconds takes whole seconds, not ${seconds}.`);
    return `(${ts} + INTERVAL '${seconds} seconds')`;
  }

  /** The UTC calendar date of timestamp `ts` (whatever the session's time zone). */
  utcDate(ts: string): string {
    return `CAST(${this.timestampToLocal(ts, 'UTC')} AS DATE)`;
  }

  /** `ts` plus a number of milliseconds given by an SQL expression (e.g. a column); NULL if it is NULL. */
  addMilliseconds(ts: string, ms: string): string {
    return `(${ts} + CAST(${ms} AS BIGINT) * INTERVAL '1 millisecond')`;
  }

  /** Seconds from timestamp `from` to timestamp `to`, with fractions; NULL if either is NULL. */
  secondsBetween(from: string, to: string): string {
    return `EXTRACT(EPOCH FROM (${to} - ${from}))`;
  }

  /**
   * Any time 8x8 sends, as a UTC timestamp (8x8.md §6): ISO-8601 with 0–9 fraction digits
   * and an offset with or without a colon; epoch seconds, ms, µs or ns, told apart by
   * magnitude (below 1e11 seconds, 1e14 ms, 1e17 µs, else ns) as text or number; and, given
   * `zone`, zone-less local text. Without `zone` a zone-less text is read as UTC. `0`,
   * negative numbers, impossible dates (`2025-02-30`) and other non-times give NULL, never an
   * error (Work Analytics writes 0 for "never connected").
   *
   * Differs from core/normalize/time.ts only at the edges no 8x8 source reaches: an epoch
   * with an exponent (`1.7410879111234568e+18`, how warehouses print a DOUBLE column holding
   * nanoseconds) is read as a number; a zone-bearing time needs its seconds (DuckDB cannot
   * read `10:02Z`); years 0001–9999 and offsets to ±15:59 only (Postgres' range); and a time
   * without a date (`12:30`) is NULL rather than today.
   */
  toUtc(expr: string, zone?: string): string {
    const text = `CAST(${expr} AS ${this.typeName('text')})`;
    // Only read where EPOCH matched, and every double cast reads what EPOCH matches in 200 characters.
    const number = this.tryCast(text, 'double');
    const seconds = `CASE WHEN ABS(${number}) < 1e11 THEN ${number} WHEN ABS(${number}) < 1e14 THEN ${number} / 1e3 WHEN ABS(${number}) < 1e17 THEN ${number} / 1e6 ELSE ${number} / 1e9 END`;
    const local = zone === undefined ? this.localToTimestamp(this.localDateTime(text), 'UTC') : this.zoneAwareLocal(text, zone);
    return (
      `CASE WHEN LENGTH(${text}) <= ${MAX_CAST_LENGTH} AND ${this.regexMatches(text, EPOCH)} THEN ` +
      `CASE WHEN ${number} <> 0 THEN ${this.epochSecondsToTimestamp(seconds)} END ` +
      `WHEN ${this.regexMatches(text, ISO_WITH_ZONE)} THEN ${this.isoToTimestamp(text)} ` +
      `WHEN ${this.regexMatches(text, ISO_LOCAL)} THEN ${local} END`
    );
  }

  /**
   * Local text in `zone`, resolved as core/normalize/time.ts does for any size of DST shift
   * (Lord Howe's is 30 minutes): first try the offset in force a day earlier, which gives
   * the earlier instant of a repeated wall-clock time and moves a time in the spring-forward
   * gap forward by the gap; if that offset does not fit (the clocks changed within the last
   * day), use the warehouse's own reading.
   */
  protected zoneAwareLocal(text: string, zone: string): string {
    const local = this.localDateTime(text);
    const own = this.localToTimestamp(local, zone);
    const dayEarlierOffset = this.addSeconds(this.localToTimestamp(this.addSecondsLocal(local, -86_400), zone), 86_400);
    const fits = (instant: string) => `${this.timestampToLocal(instant, zone)} = ${local}`;
    return `CASE WHEN NOT (${fits(dayEarlierOffset)}) AND ${fits(own)} THEN ${own} ELSE ${dayEarlierOffset} END`;
  }

  /**
   * Seconds as `HH:MM:SS`, as core/normalize/duration.ts writes them: fractions truncated,
   * hours at least two digits and never cut (360000 → `100:00:00`), negatives and NULL → NULL.
   * @example hhmmss('duration_seconds') with 3725 → `01:02:05`
   */
  hhmmss(seconds: string): string {
    const text = this.typeName('text');
    const int = this.typeName('bigint');
    const whole = `CAST(FLOOR(${seconds}) AS ${int})`;
    const hours = `CAST(FLOOR(${whole} / 3600) AS ${int})`;
    // LPAD cuts longer text down to the width, so hours get their leading zero by hand.
    const two = (value: string) => `LPAD(CAST(${value} AS ${text}), 2, '0')`;
    return (
      `CASE WHEN ${seconds} >= 0 THEN ` +
      `CASE WHEN ${hours} < 10 THEN '0' ELSE '' END || CAST(${hours} AS ${text}) || ':' || ` +
      `${two(`CAST(FLOOR(MOD(${whole}, 3600) / 60) AS ${int})`)} || ':' || ` +
      `${two(`MOD(${whole}, 60)`)} END`
    );
  }

  /**
   * A join clause adding one row per key of the JSON object at `path` inside the JSON text
   * `expr`, as `<alias>.entry_key` and `<alias>.entry_value` (the value as JSON text). Rows
   * whose value there is missing or not an object add nothing. Place it right after the
   * first FROM item.
   */
  jsonEntries(expr: string, path: readonly string[], alias: string): string {
    const object = `(CAST(${expr} AS jsonb) #> ${this.stringLiteral(`{${path.map((k) => `"${k.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`)})`;
    return (
      `CROSS JOIN LATERAL (SELECT e.key AS entry_key, CAST(e.value AS text) AS entry_value ` +
      `FROM jsonb_each(CASE WHEN jsonb_typeof(${object}) = 'object' THEN ${object} END) AS e) AS ${this.quoteIdent(alias)}`
    );
  }

  /** Lower-case hex SHA-256 of the text `expr`. */
  sha256Hex(expr: string): string {
    return `ENCODE(SHA256(CONVERT_TO(${expr}, 'UTF8')), 'hex')`;
  }

  /** The `index`-th (1-based) piece of `expr` split on `delimiter`; `''` or NULL when there is none. */
  splitPart(expr: string, delimiter: string, index: number): string {
    return `SPLIT_PART(${expr}, ${this.stringLiteral(delimiter)}, ${index})`;
  }

  /**
   * A FROM item of literal rows of text (or NULL), its columns named `c0`, `c1`, … under
   * `alias`: what a seed casts to its column types (sql/engine/seeds.ts). Every row has the
   * same number of values, and there is at least one row. The default is a VALUES list
   * (DuckDB, Postgres, Snowflake; Snowflake takes at most 16,384 rows in one).
   * @example textRows([['gold', '40'], ['silver', null]], 's') → `(VALUES ('gold', '40'), ('silver', NULL)) AS s(c0, c1)`
   */
  textRows(rows: ReadonlyArray<ReadonlyArray<string | null>>, alias: string): string {
    const width = rows[0]?.length ?? 0;
    const tuples = rows.map((row) => `  (${row.map((v) => (v === null ? 'NULL' : this.stringLiteral(v))).join(', ')})`);
    return `(VALUES\n${tuples.join(',\n')}\n) AS ${alias}(${Array.from({ length: width }, (_, i) => `c${i}`).join(', ')})`;
  }

  /**
   * The first row per `partitionBy` in `orderBy` order, of the rows of `select`: QUALIFY where
   * the warehouse has it, else a numbered subquery. Columns are those of `select` (the
   * subquery form adds `_sb_row`, which is harmless in a CTE). NULLs sort last in every
   * `orderBy` term that does not say otherwise ({@link nullsLast}), so `event_at desc` means
   * "the latest known time" on all four warehouses.
   */
  firstRowPer(select: string, partitionBy: string, orderBy: string): string {
    const window = `ROW_NUMBER() OVER (PARTITION BY ${partitionBy} ORDER BY ${nullsLast(orderBy)})`;
    if (this.capabilities.supportsQualify) return `SELECT * FROM (${select}) AS _sb_q WHERE TRUE QUALIFY ${window} = 1`;
    return `SELECT * FROM (SELECT _sb_q.*, ${window} AS _sb_row FROM (${select}) AS _sb_q) AS _sb_r WHERE _sb_row = 1`;
  }
}

/**
 * `NULLS LAST` added to each term of an ORDER BY list that does not already say where NULLs
 * go. Warehouses disagree on the default: DuckDB puts NULLs last both ways, BigQuery first
 * when ascending, Postgres and Snowflake first when descending.
 * @example nullsLast("case when a = 'x, y' then 0 end, b desc") → "case when a = 'x, y' then 0 end NULLS LAST, b desc NULLS LAST"
 */
export function nullsLast(orderBy: string): string {
  const terms: string[] = [];
  let depth = 0;
  let quote: string | undefined; // inside '…', "…" or `…`
  let start = 0;
  for (let i = 0; i < orderBy.length; i++) {
    const c = orderBy[i] as string;
    if (quote !== undefined) quote = c === quote ? undefined : quote;
    else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(orderBy.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(orderBy.slice(start));
  return terms
    .map((term) => term.trim())
    .map((term) => (/\bnulls\s+(first|last)$/i.test(term) ? term : `${term} NULLS LAST`))
    .join(', ');
}


/** A calendar date, `0001-01-01` to `9999-12-31`, leap days included: `2025-02-30` is not one. */
const DATE =
  '([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))' +
  '|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)-02-29';
/** `HH:MM:SS` with 0–9 fraction digits; {@link TIME} may omit the seconds. */
const TIME_WITH_SECONDS = '([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,9})?)?';
/** `Z` or an offset up to ±15:59 (Postgres' limit; real ones stop at +14:00), with or without colon. */
const ZONE = '(Z|[-+](0[0-9]|1[0-5])(:?[0-5][0-9])?)';

/**
 * What {@link SqlDialect.safeCast} lets through to the warehouse's cast, per type (full-match
 * patterns). They are the contract on all four warehouses, narrower than any one of their
 * casts: DuckDB's TRY_CAST alone reads `1.5` as the BIGINT 2 and `yes` as true, Snowflake's
 * rounds too, and Postgres' CAST fails the statement on `1e999` or an INTEGER overflow.
 * Integers keep to 9 and 18 digits so no warehouse overflows; doubles to a 2-digit exponent
 * and, with {@link MAX_CAST_LENGTH}, stay inside every double's range (1e±308).
 */
const SAFE_CAST_PATTERNS: Partial<Record<LogicalType, string>> = {
  bigint: '[-+]?[0-9]{1,18}',
  integer: '[-+]?[0-9]{1,9}',
  double: '[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]{1,2})?',
  boolean: 'true|false',
  timestamp: `(${DATE})([T ](${TIME}|${TIME_WITH_SECONDS}${ZONE}))?`,
};

/**
 * The longest text {@link SqlDialect.safeCast} casts. A length check rather than `{1,200}` in
 * the patterns: Postgres' regex engine runs bounded repeats that long 20 times slower.
 */
const MAX_CAST_LENGTH = 200;

/** An epoch number as {@link SqlDialect.toUtc} reads it: no sign, maybe a fraction or an exponent; a subset of the double pattern above. */
const EPOCH = '[0-9]+([.][0-9]*)?([eE][+]?[0-9]{1,2})?';
/** ISO-8601 date-time with a zone: `Z`, `+07:00`, `-0500` or `+03`; 0–9 fraction digits. */
const ISO_WITH_ZONE = `(${DATE})[T ]${TIME_WITH_SECONDS}${ZONE}`;
/** A date, maybe with a time, without a zone (a wall-clock time somewhere). */
const ISO_LOCAL = `(${DATE})([T ]${TIME})?`;
