/**
 * Renders a model's template to SQL for one dialect. The template sees dbt's vocabulary:
 * `ref()`, `source()`, `config()`, `is_incremental()`, `this`, `target`, plus portable
 * macros whose SQL differs per warehouse (`json_text`). Nothing here runs SQL.
 */
import nunjucks from 'nunjucks';
import type { LogicalType, SqlDialect } from '../dialect.js';
import { ModelError } from './errors.js';

export interface RenderContext {
  dialect: SqlDialect;
  /** Where models are built, e.g. `analytics`. */
  targetSchema: string;
  /** The relation a ref() or source() resolves to; throws when there is none. */
  relation: (kind: 'ref' | 'source', name: string, table?: string) => string;
  /** The model's own relation (`{{ this }}`). */
  self: string;
  /** True when the run merges into an existing incremental model. */
  incremental: boolean;
  /** Receives config() keyword arguments. */
  onConfig?: (values: Record<string, unknown>) => void;
  /** Values for `var('name')`, e.g. `{ default_region: 'US' }`. */
  vars?: Readonly<Record<string, unknown>>;
  /** How far `watermark()` reaches back before the newest row already built; default 3600. */
  lookbackSeconds?: number;
  /** The PII policy of a column of this model: keep it, mask it or hash it. Default: keep. */
  piiPolicy?: (column: string, kind: PiiKind) => PiiPolicy;
  /** Mixed into `pii()` hashes so that hashed phone numbers cannot be looked up in a table of all numbers. */
  hashSalt?: string;
  /** The project's macros (`{% macro … %}` definitions), callable from the template by name. */
  macros?: string;
}

/** What a personal column holds, for the PII policy. */
export type PiiKind = 'phone' | 'body';
/** keep: as is; mask: all but the last 4 characters (phones) or all (bodies) as `*`; hash: salted SHA-256 hex. */
export type PiiPolicy = 'keep' | 'mask' | 'hash';

// One environment for all renders: no loader (models do not include files), no HTML
// escaping (this is SQL), and an undefined name is an error rather than an empty string.
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: true });

/** Parsed templates by source text: a build renders each model once or twice, every few minutes. */
const parsed = new Map<string, nunjucks.Template>();

function templateFor(source: string): nunjucks.Template {
  let template = parsed.get(source);
  if (template === undefined) {
    template = new nunjucks.Template(source, env);
    if (parsed.size > 1000) parsed.clear(); // a long-running process editing models: stay bounded
    parsed.set(source, template);
  }
  return template;
}

/**
 * @example renderTemplate('select * from {{ ref("stg") }}', 'calls.sql', ctx) → 'select * from "analytics"."stg"'
 */
function jsonKeys(path: unknown): string[] {
  return Array.isArray(path) ? path.map(String) : String(path).split('.');
}

const LOGICAL_TYPES: readonly LogicalType[] = ['text', 'json', 'timestamp', 'bigint', 'integer', 'double', 'boolean'];

function logicalType(type: unknown, _ctx: RenderContext): LogicalType {
  if (LOGICAL_TYPES.includes(type as LogicalType)) return type as LogicalType;
  throw new ModelError('SB_MODEL_TEMPLATE', `"${String(type)}" is not a type; use one of ${LOGICAL_TYPES.join(', ')}.`);
}

function piiExpression(expr: string, kind: unknown, column: string, ctx: RenderContext, path: string): string {
  if (kind !== 'phone' && kind !== 'body') {
    throw new ModelError('SB_MODEL_TEMPLATE', `${path}: pii(…, '${String(kind)}'): the kind is 'phone' or 'body'.`);
  }
  const policy = ctx.piiPolicy?.(column, kind) ?? 'keep';
  const d = ctx.dialect;
  if (policy === 'keep') return expr;
  if (policy === 'hash') return `CASE WHEN ${expr} IS NOT NULL THEN ${d.sha256Hex(`${d.stringLiteral(ctx.hashSalt ?? '')} || ${expr}`)} END`;
  if (kind === 'body') return `CASE WHEN ${expr} IS NOT NULL THEN '***' END`;
  // Phones keep their last 4 characters, enough to tell numbers apart on a call sheet.
  return `CASE WHEN LENGTH(${expr}) > 4 THEN CONCAT(REPEAT('*', LENGTH(${expr}) - 4), SUBSTR(${expr}, LENGTH(${expr}) - 3)) ELSE ${expr} END`;
}

export function renderTemplate(template: string, path: string, ctx: RenderContext): string {
  const { dialect } = ctx;
  // nunjucks wraps errors thrown by template functions in its own; keep ours to rethrow as is.
  let raised: unknown;
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      raised = error;
      throw error;
    }
  };
  const context = {
    ref: (name: unknown) => guard(() => ctx.relation('ref', String(name))),
    source: (name: unknown, table: unknown) => guard(() => ctx.relation('source', String(name), String(table))),
    config: (values: Record<string, unknown> = {}) => {
      const { __keywords: _, ...rest } = values;
      guard(() => ctx.onConfig?.(rest));
      return '';
    },
    is_incremental: () => ctx.incremental,
    // Jinja's Python-style literals, as dbt projects write them (`config(store_failures=True)`):
    // nunjucks knows only lower-case true/false/none and would read these as undefined.
    True: true,
    False: false,
    None: null,
    this: ctx.self,
    target: { type: dialect.name, schema: ctx.targetSchema },
    /** `{{ json_text('body', 'payload.status.state') }}`: text at a path of JSON text. */
    json_text: (expr: unknown, path: unknown) => dialect.jsonText(String(expr), jsonKeys(path)),
    /** `{{ json_entries('e.body', 'payload.details', 'leg') }}`: a join adding leg.entry_key, leg.entry_value per object key. */
    json_entries: (expr: unknown, path: unknown, alias: unknown) => dialect.jsonEntries(String(expr), jsonKeys(path), String(alias)),
    /** `{{ to_utc('started_raw') }}`, `{{ to_utc('t', 'America/New_York') }}`: any 8x8 time as a UTC timestamp. */
    to_utc: (expr: unknown, zone?: unknown) => dialect.toUtc(String(expr), zone === undefined || zone === null ? undefined : String(zone)),
    /** `{{ safe_cast('x', 'bigint') }}`: NULL instead of an error when x does not parse. */
    safe_cast: (expr: unknown, type: unknown) => guard(() => dialect.safeCast(String(expr), logicalType(type, ctx))),
    /** `{{ type('timestamp') }}`: the warehouse's name for a logical type. */
    type: (type: unknown) => guard(() => dialect.typeName(logicalType(type, ctx))),
    seconds_between: (from: unknown, to: unknown) => dialect.secondsBetween(String(from), String(to)),
    add_seconds: (ts: unknown, seconds: unknown) => dialect.addSeconds(String(ts), Number(seconds)),
    add_milliseconds: (ts: unknown, ms: unknown) => dialect.addMilliseconds(String(ts), String(ms)),
    utc_date: (ts: unknown) => dialect.utcDate(String(ts)),
    hhmmss: (seconds: unknown) => dialect.hhmmss(String(seconds)),
    sha256: (expr: unknown) => dialect.sha256Hex(String(expr)),
    split_part: (expr: unknown, delimiter: unknown, index: unknown) => dialect.splitPart(String(expr), String(delimiter), Number(index)),
    regex_matches: (expr: unknown, pattern: unknown) => dialect.regexMatches(String(expr), String(pattern)),
    /** `{{ first_row_per('select …', 'message_id', 'rank desc') }}`: QUALIFY, DISTINCT ON or a subquery. */
    first_row_per: (select: unknown, partitionBy: unknown, orderBy: unknown) => dialect.firstRowPer(String(select), String(partitionBy), String(orderBy)),
    /** `{{ var('default_region') }}`: a project variable (config key models.vars). */
    var: (name: unknown, fallback?: unknown) =>
      guard(() => {
        const value = ctx.vars?.[String(name)] ?? fallback;
        if (value === undefined) {
          throw new ModelError('SB_MODEL_TEMPLATE', `${path}: var('${String(name)}') has no value; set models.vars.${String(name)} in the config or give a default: var('${String(name)}', '…').`);
        }
        return value;
      }),
    /** `{{ watermark('landed_at') }}`: MAX(column) of this model, minus the lookback window (1970 when empty). */
    watermark: (column: unknown) => {
      const newest = dialect.addSeconds(`MAX(${String(column)})`, -(ctx.lookbackSeconds ?? 3600));
      return `(SELECT COALESCE(${newest}, CAST('1970-01-01T00:00:00Z' AS ${dialect.typeName('timestamp')})) FROM ${ctx.self})`;
    },
    /** `{{ pii('from_e164', 'phone', 'from_e164') }}`: the column under its PII policy (keep, mask or hash). */
    pii: (expr: unknown, kind: unknown, column: unknown) => guard(() => piiExpression(String(expr), kind, String(column ?? expr), ctx, path)),
    /**
     * `{{ landed_events('voice_events') }}`: a raw event table as models should read it —
     * `source('raw', …)` with conflicting versions left out (`conflict_of IS NULL`: the first
     * body under a dedupe key wins, as before) and `body` replaced by the copy every
     * warehouse's JSON functions parse (`body_json`, set only when the exact body holds
     * `\u0000` or unpaired surrogate escapes). Aliased as the table's name.
     */
    landed_events: (table: unknown) =>
      guard(() => {
        const name = String(table);
        const relation = ctx.relation('source', 'raw', name);
        const columns = 'dedupe_key, family, event_type, COALESCE(body_json, body) AS body, headers, source_ip, verified_by, first_delivery_id, first_received_at, last_received_at, delivery_count, landed_at';
        return `(SELECT ${columns} FROM ${relation} WHERE conflict_of IS NULL) AS ${dialect.quoteIdent(name)}`;
      }),
  };
  // Macros go before the template, so that they see the same context (ref(), this, …) and
  // define nothing but macros; error line numbers are then shifted back to the model's own.
  const macros = ctx.macros ?? '';
  const offset = macros === '' ? 0 : macros.split('\n').length - 1;
  try {
    return templateFor(macros + template).render(context).trim();
  } catch (error) {
    if (raised instanceof ModelError) throw raised;
    const message = (error as Error).message
      .replace(/^\(unknown path\)\s*/, '')
      .replace(/\[Line (\d+), Column (\d+)\]/, (_, line: string, column: string) =>
        Number(line) > offset ? `[Line ${Number(line) - offset}, Column ${column}]` : `[macros, line ${line}, column ${column}]`,
      )
      .replace(/\s+/g, ' ');
    const hint = /undefined/.test(message) ? ` The template can use ${Object.keys(context).join(', ')}; check the spelling.` : '';
    throw new ModelError('SB_MODEL_TEMPLATE', `${path}: ${message}.${hint}`, { cause: error });
  }
}
