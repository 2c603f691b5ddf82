/**
 * Syncs as dbt exposures (https://docs.getdbt.com/docs/build/exposures): each configured sync
 * is an `application` that uses the models it sends, so lineage runs on from the curated
 * models to Salesforce, Zendesk and Slack. A sync with `model:` uses that model; a sync with
 * `sql:` uses the models its query names (`analytics.calls`, or `calls` after FROM / JOIN).
 */
import { basename } from 'node:path';
import { modelSchema } from './compile.js';
import type { Project } from './model.js';

/** One exposure, as dbt's manifest has it (docs-artifacts.ts › ManifestEntry). */
export type ExposureEntry = Record<string, unknown> & { unique_id: string; resource_type: 'exposure'; name: string; package_name: string };

/** What an exposure needs of a sync (config `syncs:`, core/config-schema.ts). */
export interface SyncExposureInput {
  name: string;
  /** The model it sends, e.g. `salesforce_call_tasks`… */
  model?: string | undefined;
  /** …or the query it sends the rows of, e.g. `SELECT * FROM analytics.calls WHERE is_missed`. */
  sql?: string | undefined;
  key: string;
  destination: string;
  /** Salesforce sObject, Zendesk `tickets`, or a Slack channel id. */
  object: string;
  mode: string;
  schedule: string;
  priority: string;
}

export interface ExposureContext {
  project: Project;
  /** models.schema: where a sync reads its model. */
  targetSchema: string;
  /** The manifest id of a model of the project. */
  idOf: (model: string) => string;
  /** The config file the syncs are declared in; null: unknown. */
  configPath: string | null;
  /** dbt's `created_at`, epoch seconds. */
  createdAt: number;
  /** Told what the operator should know (a sync whose model the project does not have). */
  note: (text: string) => void;
}

const DESTINATIONS: Readonly<Record<string, string>> = { salesforce: 'Salesforce', zendesk: 'Zendesk', slack: 'Slack' };

/** `exposure.switchboard.<sync name>` for each sync. */
export function exposuresOf(syncs: readonly SyncExposureInput[], context: ExposureContext): Record<string, ExposureEntry> {
  const out: Record<string, ExposureEntry> = {};
  const file = context.configPath ?? 'switchboard.yaml';
  for (const sync of syncs) {
    const named = sync.model !== undefined ? [sync.model] : modelsInQuery(sync.sql ?? '', context);
    const models = named.filter((name) => context.project.models.has(name));
    for (const name of named.filter((n) => !context.project.models.has(n))) {
      context.note(`sync ${sync.name} sends model ${name}, which is not in the project (disabled or misspelled): its exposure depends on nothing.`);
    }
    if (sync.model === undefined && models.length === 0) context.note(`sync ${sync.name}: its query names no model of the project, so its exposure depends on nothing.`);
    const where = `${DESTINATIONS[sync.destination] ?? sync.destination} ${sync.object}`;
    const what = sync.model !== undefined ? `the rows of ${sync.model}` : `the rows of its query (${models.join(', ') || 'no model'})`;
    const unique = `exposure.switchboard.${sync.name}`;
    out[unique] = {
      name: sync.name,
      resource_type: 'exposure',
      package_name: 'switchboard',
      path: basename(file),
      original_file_path: file,
      unique_id: unique,
      fqn: ['switchboard', sync.name],
      type: 'application',
      // Syncs have no owner in the config.
      owner: { email: null, name: null },
      description: `Switchboard sync ${sync.name}: sends ${what} to ${where}, keyed on ${sync.key} (mode ${sync.mode}, schedule ${sync.schedule}).`,
      label: `${sync.name} → ${where}`,
      maturity: null,
      meta: { destination: sync.destination, object: sync.object, mode: sync.mode, key: sync.key, schedule: sync.schedule, priority: sync.priority },
      tags: ['sync', sync.destination],
      config: { enabled: true },
      unrendered_config: {},
      url: null,
      depends_on: { macros: [], nodes: models.map(context.idOf) },
      refs: models.map((name) => ({ name, package: null, version: null })),
      sources: [],
      metrics: [],
      created_at: context.createdAt,
    };
  }
  return out;
}

/**
 * The models a sync's query names: `<schema>.<model>` with the model's schema (quoted with
 * `"` or backticks, or not), or a bare model name right after FROM or JOIN.
 * @example modelsInQuery('SELECT * FROM analytics.calls c JOIN "analytics"."messages" m ON …', …) → ['calls', 'messages']
 */
export function modelsInQuery(sql: string, context: Pick<ExposureContext, 'project' | 'targetSchema'>): string[] {
  const found: string[] = [];
  const q = '["`]?';
  for (const model of context.project.models.values()) {
    const schema = modelSchema(model, context.targetSchema);
    const qualified = new RegExp(`(?<![\\w.])${q}${schema}${q}\\s*\\.\\s*${q}${model.name}${q}(?![\\w])`, 'i');
    const bare = new RegExp(`\\b(?:from|join)\\s+${q}${model.name}${q}(?![\\w.])`, 'i');
    if (qualified.test(sql) || bare.test(sql)) found.push(model.name);
  }
  return found.sort();
}
