/**
 * The import graph of the source folders: imports run one way, down the floors
 * cli → server → (ingest | sync) → sql → core, and no two files import each other in a cycle.
 *
 * Every static import counts, type-only ones included (`import type`, `export … from`,
 * side-effect `import './x.js'`); dynamic `import()` does not. Only relative specifiers are
 * followed (`.js` is read as the `.ts` file it is compiled from).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root: this file runs as dist/test/core/import-graph.test.js. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Highest floor first; folders on one floor are siblings and must not import each other. */
const FLOORS: readonly (readonly string[])[] = [['cli'], ['server'], ['ingest', 'sync'], ['sql'], ['core']];
const ORDER = FLOORS.map((floor) => (floor.length > 1 ? `(${floor.join(' | ')})` : floor[0])).join(' → ');
const floorOf = (folder: string): number => FLOORS.findIndex((floor) => floor.includes(folder));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative specifiers of every static import and re-export in `file`. */
function relativeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) specifier = statement.moduleSpecifier;
    else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) specifier = statement.moduleReference.expression;
    if (specifier !== undefined && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) specifiers.push(specifier.text);
  }
  return specifiers;
}

const rel = (path: string): string => relative(ROOT, path).split(sep).join('/');
const folderOf = (path: string): string => rel(path).split('/')[0] as string;

/** file → the files it imports (absolute paths, `.ts`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const folder of FLOORS.flat()) {
    if (!existsSync(join(ROOT, folder))) continue; // a folder that does not exist (yet)
    for (const file of sources(join(ROOT, folder))) {
      graph.set(file, relativeImports(file).map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, '.ts')));
    }
  }
  return graph;
}

/** One cycle per strongly connected component of more than one file (or a file importing itself), as a path a → b → … → a. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const connect = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) as number, index.get(target) as number));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) components.push(component);
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  // In each component, the shortest way from its first file back to itself (breadth-first inside the component).
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0] as string;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      for (const target of graph.get(file) ?? []) {
        if (!members.has(target)) continue;
        if (target === start) {
          const path = [file];
          while (path[0] !== start) path.unshift(cameFrom.get(path[0] as string) as string);
          return [...path, start];
        }
        if (!cameFrom.has(target)) {
          cameFrom.set(target, file);
          queue.push(target);
        }
      }
    }
    return [...component, start];
  });
}

test('imports run one way: cli → server → (ingest | sync) → sql → core; ingest and sync never import each other', () => {
  const graph = importGraph();
  assert.ok(graph.size > 50, `read ${graph.size} source files under ${FLOORS.flat().join(', ')} from ${ROOT}`);
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from || floorOf(to) < 0) continue;
      if (floorOf(to) <= floorOf(from)) upward.push(`${rel(file)} imports ${rel(target)} (${from} → ${to})`);
    }
  }
  assert.deepEqual(
    upward,
    [],
    `${upward.length} import(s) run upward or sideways. The allowed direction is ${ORDER}: a folder may import itself and the folders below it, ` +
      'and ingest and sync (siblings) never import each other. Move what both sides need down (into sql/ or core/), ' +
      'or have the lower folder take it as a parameter or callback instead of importing it:\n  ' +
      upward.join('\n  '),
  );
});

test('no import cycles between files (type-only imports included)', () => {
  const graph = importGraph();
  const found = cycles(graph).map((cycle) => cycle.map(rel).join(' → '));
  assert.deepEqual(
    found,
    [],
    `${found.length} import cycle(s) between files. Break each by moving what the files share into a new module both import, ` +
      'or by turning one import around (pass the value in as a parameter or callback); a type-only import closes a cycle too:\n  ' +
      found.join('\n  '),
  );
});
