/**
 * Singular tests, as dbt has them: every `.sql` file under a layer's top-level `tests/` folder
 * is a SELECT of the rows that break a rule, written with the models' templating (ref(),
 * source(), var(), macros). The test fails when it returns any row. It is named after its
 * file (`tests/assert_calls_have_legs.sql` is `test.assert_calls_have_legs`):
 *
 * ```sql
 * {{ config(severity='warn', store_failures=true) }}
 * select c.call_id from {{ ref('calls') }} c
 * where not exists (select 1 from {{ ref('call_legs') }} l where l.call_id = c.call_id)
 * ```
 *
 * `config(severity='warn')` makes failing rows a warning, as in YAML; `store_failures` keeps
 * them in a table (store-failures.ts); `enabled=false` leaves the test out. A later layer's
 * test of the same name replaces an earlier one, as models do.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { SqlDialect } from '../dialect.js';
import { compileTemplate, type CompileOptions } from './compile.js';
import type { TestSeverity } from './data-tests.js';
import { ModelError } from './errors.js';
import type { Project } from './model.js';
import { closest, filesUnder, recordTemplate } from './project.js';

export interface SingularTest {
  /** The file name without `.sql`, e.g. `assert_calls_have_legs`; its node is `test.<name>`. */
  name: string;
  /** Path relative to its layer's directory, e.g. `tests/assert_calls_have_legs.sql`. */
  path: string;
  /** `switchboard` (bundled) or `project`. */
  package: string;
  /** Index of its layer in {@link Project.layers}. */
  layer: number;
  /** The template text as written. */
  template: string;
  /** Models it reads with ref(), in first-use order: it runs after the last of them. */
  refs: readonly string[];
  /** `config(severity='warn')`: failing rows are a warning; default `error`. */
  severity: TestSeverity;
  /** `config(store_failures=true|false)`; absent: the project's default (models.tests.storeFailures). */
  storeFailures?: boolean;
}

const CONFIG_KEYS = ['severity', 'store_failures', 'enabled'];

/**
 * Every singular test of the project's layers, by name order. A test of a disabled model is
 * left out (dbt disables a test whose parent is disabled), as is one with
 * `config(enabled=false)`.
 * @param dialect any dialect: loading only records what each test reads
 * @throws ModelError `SB_MODEL_UNKNOWN_REF` when a test ref()s no model;
 *   `SB_MODEL_SINGULAR_TEST` for two tests of one name in one folder or a bad config()
 */
export async function loadSingularTests(project: Project, dialect: SqlDialect): Promise<SingularTest[]> {
  const tests = new Map<string, SingularTest>();
  for (const [index, layer] of project.layers.entries()) {
    const seen = new Map<string, string>();
    for (const file of await filesUnder(join(layer.dir, 'tests'), (n) => n.endsWith('.sql'))) {
      const path = relative(layer.dir, file).split(sep).join('/');
      const name = basename(file, '.sql');
      const twin = seen.get(name);
      if (twin !== undefined) throw new ModelError('SB_MODEL_SINGULAR_TEST', `Two singular tests are named "${name}": ${twin} and ${path} (${layer.dir}). Rename one file.`);
      seen.set(name, path);
      const template = await readFile(file, 'utf8');
      const recorded = recordTemplate(template, path, name, dialect, project.macros);
      const config = parseTestConfig(recorded.config, path);
      if (!config.enabled) {
        tests.delete(name); // an override with enabled=false switches the earlier test off
        continue;
      }
      const store = config.storeFailures === undefined ? {} : { storeFailures: config.storeFailures };
      tests.set(name, { name, path, package: layer.package, layer: index, template, refs: recorded.refs, severity: config.severity, ...store });
    }
  }
  const kept: SingularTest[] = [];
  for (const test of [...tests.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (test.refs.some((ref) => project.disabled.includes(ref))) continue;
    for (const ref of test.refs) {
      if (!project.models.has(ref)) {
        const hint = closest(ref, [...project.models.keys()]);
        const mean = hint === undefined ? '' : ` (did you mean '${hint}'?)`;
        throw new ModelError('SB_MODEL_UNKNOWN_REF', `${test.path}: ref('${ref}') names no model${mean}. Fix the name in the test, or add the model.`);
      }
    }
    kept.push(test);
  }
  return kept;
}

function parseTestConfig(values: Record<string, unknown>, path: string): { severity: TestSeverity; storeFailures: boolean | undefined; enabled: boolean } {
  const fail = (message: string): never => {
    throw new ModelError('SB_MODEL_SINGULAR_TEST', `${path}: config(${message})`);
  };
  for (const key of Object.keys(values)) if (!CONFIG_KEYS.includes(key)) fail(`${key}=…): a singular test takes ${CONFIG_KEYS.join(', ')}`);
  const severity = values.severity === undefined ? 'error' : String(values.severity).toLowerCase();
  if (severity !== 'warn' && severity !== 'error') fail(`severity=${JSON.stringify(values.severity)}): warn or error`);
  const storeFailures = values.store_failures;
  if (storeFailures !== undefined && typeof storeFailures !== 'boolean') fail(`store_failures=${JSON.stringify(storeFailures)}): true or false`);
  const enabled = values.enabled;
  if (enabled !== undefined && typeof enabled !== 'boolean') fail(`enabled=${JSON.stringify(enabled)}): true or false`);
  return { severity: severity as TestSeverity, storeFailures: storeFailures as boolean | undefined, enabled: enabled !== false };
}

/**
 * The test's SELECT of failing rows for one warehouse, rendered as a model is (a trailing `;`
 * dropped, since the runner wraps it).
 * @example compileSingularTest(project, test, { dialect, targetSchema: 'analytics', sources: { raw: 'raw' } })
 */
export function compileSingularTest(project: Project, test: SingularTest, options: CompileOptions): string {
  return compileTemplate(project, test, options.targetSchema, options).replace(/;\s*$/, '');
}
