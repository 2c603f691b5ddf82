/**
 * Renders a model's template to SQL for one dialect. The template sees dbt's vocabulary:
 * `ref()`, `source()`, `config()`, `is_incremental()`, `this`, `target`, plus portable
 * macros whose SQL differs per warehouse (`json_text`). Nothing here runs SQL.
 */
import nunjucks from 'nunjucks';
import type { SqlDialect } from '../dialect.js';
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
}

// One environment for all renders: no loader (models do not include files), no HTML
// escaping (this is SQL), and an undefined name is an error rather than an empty string.
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: true });

/**
 * @example renderTemplate('select * from {{ ref("stg") }}', 'calls.sql', ctx) → 'select * from "analytics"."stg"'
 */
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
    this: ctx.self,
    target: { type: dialect.name, schema: ctx.targetSchema },
    /** `{{ json_text('body', 'payload.status.state') }}`: text at a path of JSON text. */
    json_text: (expr: unknown, path: unknown) =>
      dialect.jsonText(String(expr), Array.isArray(path) ? path.map(String) : String(path).split('.')),
  };
  try {
    return env.renderString(template, context).trim();
  } catch (error) {
    if (raised instanceof ModelError) throw raised;
    const message = (error as Error).message.replace(/^\(unknown path\)\s*/, '').replace(/\s+/g, ' ');
    const hint = /undefined/.test(message) ? ` The template can use ${Object.keys(context).join(', ')}; check the spelling.` : '';
    throw new ModelError('SB_MODEL_TEMPLATE', `${path}: ${message}.${hint}`, { cause: error });
  }
}
