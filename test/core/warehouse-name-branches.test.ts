/**
 * Only sql/warehouses/ knows which warehouses exist: code elsewhere asks the warehouse's
 * descriptor or dialect (flags, describe(), toOptions()) and never compares a type with a
 * warehouse's name (`settings.type === 'duckdb'`, `case 'postgres':`). Adding a warehouse is
 * then its folder and a line in sql/warehouses/index.ts, with no branch to find elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { DIALECT_NAMES } from '../../sql/warehouses/index.js';

/** The repository root: this file runs as dist/test/core/warehouse-name-branches.test.js. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FOLDERS = ['cli', 'server', 'ingest', 'sync', 'sql', 'core'];
const EXEMPT = `sql${sep}warehouses${sep}`;
const NAMES = new Set<string>(DIALECT_NAMES);
const COMPARISONS = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const isName = (node: ts.Node): boolean => (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && NAMES.has(node.text);

/** Each `x === 'duckdb'` (either side, any equality operator) and `case 'duckdb':` in `text`, as `file:line: code`. */
function nameBranches(path: string, text: string): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const where = (node: ts.Node): string => `${relative(ROOT, path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText().slice(0, 80)}`;
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && COMPARISONS.has(node.operatorToken.kind) && (isName(node.left) || isName(node.right))) found.push(where(node));
    if (ts.isCaseClause(node) && isName(node.expression)) found.push(where(node));
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

test('the scan finds a comparison with a warehouse name, and a case on one', () => {
  const found = nameBranches('x.ts', "if (settings.type === 'duckdb') f();\nswitch (t) { case 'bigquery': break; }\nif ('postgres' !== t) g();\n");
  assert.equal(found.length, 3, found.join('\n'));
});

test('no file outside sql/warehouses/ branches on a warehouse name', () => {
  const files = FOLDERS.flatMap((folder) => sources(join(ROOT, folder))).filter((path) => !relative(ROOT, path).startsWith(EXEMPT));
  assert.ok(files.length > 100, `scanned ${files.length} files`);
  const found = files.flatMap((path) => nameBranches(path, readFileSync(path, 'utf8')));
  assert.deepEqual(found, [], 'branches on a warehouse name: ask the warehouse descriptor (sql/warehouses/kind.ts) or the dialect instead');
});
