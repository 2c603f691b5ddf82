/**
 * dbt's node selection: `calls` (one model), `calls+` (and everything downstream),
 * `+meetings` (and everything upstream), `+calls+`, `tag:messages`. Several expressions
 * (space- or comma-separated) select their union; none selects every model.
 */
import { ancestors, buildOrder, descendants } from './dag.js';
import { ModelError } from './errors.js';
import type { Model, Project } from './model.js';
import { closest } from './project.js';

/**
 * The selected models in build order, minus the excluded ones (dbt's --select and --exclude).
 * @example selectModels(project, ['stg_messages+', 'tag:meetings'], ['tag:reconciliation'])
 */
export function selectModels(project: Project, selectors: readonly string[], excludes: readonly string[] = []): Model[] {
  const expressions = split(selectors);
  const order = buildOrder(project);
  const excluded = new Set<string>();
  for (const expression of split(excludes)) for (const name of resolve(project, expression)) excluded.add(name);
  const chosen = new Set<string>();
  for (const expression of expressions) for (const name of resolve(project, expression)) chosen.add(name);
  return order.filter((model) => (expressions.length === 0 || chosen.has(model.name)) && !excluded.has(model.name));
}

function split(selectors: readonly string[]): string[] {
  return selectors.flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== '');
}

function resolve(project: Project, expression: string): Set<string> {
  if (expression.startsWith('tag:')) {
    const tag = expression.slice(4);
    const tagged = [...project.models.values()].filter((m) => m.config.tags.includes(tag)).map((m) => m.name);
    if (tagged.length === 0) throw new ModelError('SB_MODEL_SELECTOR', `No model has tag "${tag}" (selector ${expression}).`);
    return new Set(tagged);
  }
  const match = /^(\+?)([A-Za-z0-9_]+)(\+?)$/.exec(expression);
  if (match === null) {
    throw new ModelError('SB_MODEL_SELECTOR', `"${expression}" is not a selector; use name, +name, name+, +name+ or tag:name.`);
  }
  const [, up, name, down] = match as unknown as [string, string, string, string];
  if (!project.models.has(name)) {
    const hint = closest(name, [...project.models.keys()]);
    throw new ModelError('SB_MODEL_SELECTOR', `No model is named "${name}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}.`);
  }
  const names = new Set([name]);
  if (up === '+') for (const n of ancestors(project, name)) names.add(n);
  if (down === '+') for (const n of descendants(project, name)) names.add(n);
  return names;
}
