/**
 * Compiles a model to the final SQL for one warehouse: ref() and source() become quoted
 * relations, `is_incremental()` is decided, and portable macros become the dialect's SQL.
 * This is what `switchboard compile` prints and what materializations wrap.
 */
import type { SqlDialect } from '../dialect.js';
import { ModelError } from './errors.js';
import type { Model, Project } from './model.js';
import { renderTemplate, type PiiKind, type PiiPolicy } from './render.js';
import { seedSelect } from './seeds.js';

export interface CompileOptions {
  dialect: SqlDialect;
  /** Where models are built unless their config names a schema, e.g. `analytics`. */
  targetSchema: string;
  /** Source name → warehouse schema, e.g. `{ raw: 'raw' }`. */
  sources: Readonly<Record<string, string>>;
  /** Compile the incremental branch (`{% if is_incremental() %}`). */
  incremental?: boolean;
  /** Values for `var()`. */
  vars?: Readonly<Record<string, unknown>>;
  /** `watermark()`'s lookback window in seconds; default 3600. */
  lookbackSeconds?: number;
  /** The PII policy of `model.column` ('keep' when absent). */
  piiPolicy?: (model: string, column: string, kind: PiiKind) => PiiPolicy;
  /** Salt of `pii()` hashes. */
  hashSalt?: string;
}

/** The schema a model is built in. */
export function modelSchema(model: Model, targetSchema: string): string {
  return model.config.schema ?? targetSchema;
}

/** @example compileModel(project, project.models.get('calls')!, { dialect, targetSchema: 'analytics', sources: { raw: 'raw' } }) */
export function compileModel(project: Project, model: Model, options: CompileOptions): string {
  const { dialect, targetSchema } = options;
  if (model.seed !== undefined) return seedSelect(model.seed, dialect);
  return renderTemplate(model.template, model.path, {
    dialect,
    targetSchema,
    self: dialect.tableName(modelSchema(model, targetSchema), model.name),
    incremental: options.incremental === true,
    macros: project.macros,
    ...(options.vars === undefined ? {} : { vars: options.vars }),
    ...(options.lookbackSeconds === undefined ? {} : { lookbackSeconds: options.lookbackSeconds }),
    ...(options.hashSalt === undefined ? {} : { hashSalt: options.hashSalt }),
    ...(options.piiPolicy === undefined ? {} : { piiPolicy: (column: string, kind: PiiKind) => options.piiPolicy!(model.name, column, kind) }),
    relation: (kind, name, table) => {
      if (kind === 'ref') {
        const target = project.models.get(name) as Model; // loadProject checked every ref
        return dialect.tableName(modelSchema(target, targetSchema), name);
      }
      const schema = options.sources[name];
      if (schema === undefined) {
        throw new ModelError(
          'SB_MODEL_UNKNOWN_SOURCE',
          `${model.path}: source('${name}', '${table ?? ''}') names no source; known sources: ${Object.keys(options.sources).join(', ') || 'none'}.`,
        );
      }
      return dialect.tableName(schema, table ?? '');
    },
  });
}
