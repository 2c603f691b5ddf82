/**
 * The model DAG: ref() edges, a build order in which every model comes after what it reads,
 * and the lineage queries selection needs.
 */
import { ModelError } from './errors.js';
import type { Model, Project } from './model.js';

/**
 * Every model, upstream before downstream; ties in name order, so the order is stable.
 * @throws SB_MODEL_CYCLE naming the loop, e.g. `a → b → a`.
 */
export function buildOrder(project: Project): Model[] {
  const order: Model[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (model: Model, path: string[]): void => {
    const seen = state.get(model.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const loop = [...path.slice(path.indexOf(model.name)), model.name];
      throw new ModelError('SB_MODEL_CYCLE', `Models ref() each other in a loop: ${loop.join(' → ')}. Break the loop in one of these files.`);
    }
    state.set(model.name, 'visiting');
    for (const ref of [...model.refs].sort()) visit(project.models.get(ref) as Model, [...path, model.name]);
    state.set(model.name, 'done');
    order.push(model);
  };
  for (const name of [...project.models.keys()].sort()) visit(project.models.get(name) as Model, []);
  return order;
}

/** Names of every model `name` reads, directly or not. */
export function ancestors(project: Project, name: string): Set<string> {
  const found = new Set<string>();
  const walk = (current: string): void => {
    for (const ref of project.models.get(current)?.refs ?? []) {
      if (!found.has(ref)) {
        found.add(ref);
        walk(ref);
      }
    }
  };
  walk(name);
  return found;
}

/** Names of every model that reads `name`, directly or not. */
export function descendants(project: Project, name: string): Set<string> {
  const readers = new Map<string, string[]>();
  for (const model of project.models.values()) {
    for (const ref of model.refs) readers.set(ref, [...(readers.get(ref) ?? []), model.name]);
  }
  const found = new Set<string>();
  const walk = (current: string): void => {
    for (const reader of readers.get(current) ?? []) {
      if (!found.has(reader)) {
        found.add(reader);
        walk(reader);
      }
    }
  };
  walk(name);
  return found;
}
