/**
 * The config schema (core/config-schema.ts), switchboard.example.yaml and README.md's
 * configuration table cannot disagree: every key of the schema is in the other two, every key
 * they name is in the schema, and the defaults they show are the schema's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { loadConfig, parseConfig } from '../../server/config.js';
import { configKeys, type ConfigKey } from '../../core/config-keys.js';
import { configSchema } from '../../server/config.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'switchboard.example.yaml');
const KEYS = configKeys(configSchema);
const BY_KEY = new Map(KEYS.map((k) => [k.key, k]));

/** True when `key` is below a key whose value is free-form (`syncs[].mapping.Subject`, `models.vars.x`). */
function underALeaf(key: string): boolean {
  const parts = key.split('.');
  return parts.some((_, i) => i > 0 && BY_KEY.get(parts.slice(0, i).join('.'))?.leaf === true);
}

const KEY_LINE = /^(\s*)(- )?([A-Za-z_][A-Za-z0-9_]*):(\s|$)/;

/**
 * A line with its switched-off setting switched on: every `# ` that starts the line's content
 * is dropped, so `  # key: value` reads as `  key: value` (at the column of its `#`). Null
 * when the line is not a setting (prose comments must therefore not start with `word:`).
 */
function switchedOn(line: string): string | null {
  let out = line;
  while (/^\s*# /.test(out)) out = out.replace('# ', '');
  return KEY_LINE.test(out) ? out : null;
}

/** The keys a YAML file names, switched-off ones included, nested by indentation; list items add `[]`. */
function yamlKeys(text: string): Set<string> {
  const keys = new Set<string>();
  const stack: Array<{ indent: number; path: string }> = [];
  for (const raw of text.split('\n')) {
    const match = KEY_LINE.exec(switchedOn(raw) ?? '');
    if (match === null) continue;
    const dashIndent = (match[1] ?? '').length;
    const item = match[2] !== undefined;
    const indent = dashIndent + (item ? 2 : 0);
    while (stack.length > 0 && (stack.at(-1)?.indent ?? 0) >= (item ? dashIndent : indent)) stack.pop();
    let parent = stack.at(-1)?.path ?? '';
    if (item) {
      parent = `${parent}[]`;
      stack.push({ indent: dashIndent + 1, path: parent });
    }
    const key = parent === '' ? (match[3] ?? '') : `${parent}.${match[3] ?? ''}`;
    keys.add(key);
    stack.push({ indent, path: key });
  }
  return keys;
}

interface TableRow {
  /** The row as written, for messages. */
  text: string;
  /** The keys of its first column, expanded: `families.<f>.enabled`, `server.rateLimit.windowMs`. */
  patterns: string[][];
  /** Its default column, one part per key (split at ` / `). */
  defaults: string[];
}

/** README.md's "## Configuration" section. */
function readmeConfiguration(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  assert.notEqual(start, -1, 'README.md has a "## Configuration" section');
  return readme.slice(start + 1, readme.indexOf('\n## ', start + 1));
}

/** The rows of the table under README.md's "## Configuration" whose first column is `key`. */
function readmeTable(): TableRow[] {
  const lines = readmeConfiguration().split('\n');
  const header = lines.findIndex((l) => /^\|\s*key\s*\|/.test(l));
  assert.notEqual(header, -1, 'the Configuration section has a table whose first column is key');
  const rows: TableRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [first = '', defaults = ''] = line.replace(/^\|/, '').split(' | ');
    const tokens = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    let full = '';
    const patterns = tokens.map((token) => {
      // `.windowMs` after `server.rateLimit.max` is `server.rateLimit.windowMs`.
      const key = token.startsWith('.') ? `${full.slice(0, full.lastIndexOf('.'))}${token}` : token;
      full = key;
      return key;
    });
    rows.push({ text: line, patterns: patterns.map(expandBraces), defaults: defaults.split(' / ').map((d) => d.trim()) });
  }
  return rows;
}

/** `models.regions.{voice,work}` → both keys. */
function expandBraces(pattern: string): string[] {
  const match = /\{([^}]+)\}/.exec(pattern);
  if (match === null) return [pattern];
  return (match[1] ?? '').split(',').flatMap((alternative) => expandBraces(pattern.replace(match[0], alternative.trim())));
}

/** Schema keys a README pattern names; `<f>` stands for any one key. */
function matching(pattern: string): ConfigKey[] {
  const parts = pattern.split('.');
  return KEYS.filter((k) => {
    const key = k.key.split('.');
    return key.length === parts.length && parts.every((p, i) => p === key[i] || /^<[a-z]+>$/.test(p));
  });
}

/** Whether the README's `text` is the schema's default `value`. */
function sameDefault(text: string, value: unknown): boolean {
  if (Array.isArray(value) || (value !== null && typeof value === 'object')) return JSON.stringify(value).replaceAll('"', '').replaceAll(',', ', ') === text;
  return String(value) === text;
}

describe('switchboard.example.yaml', () => {
  const text = readFileSync(EXAMPLE, 'utf8');

  test('loads through the real config loader, and its live values are exactly the defaults', () => {
    const config = loadConfig({ path: EXAMPLE, env: {} });
    assert.equal(config.source, EXAMPLE);
    assert.deepEqual(config.file, parseConfig({}));
  });

  test('names every key of the schema (those without a default switched off), and no key the schema lacks', () => {
    const named = yamlKeys(text);
    const missing = KEYS.map((k) => k.key).filter((key) => !named.has(key));
    assert.deepEqual(missing, [], 'schema keys missing from switchboard.example.yaml');
    const unknown = [...named].filter((key) => !BY_KEY.has(key) && !underALeaf(key));
    assert.deepEqual(unknown, [], 'keys in switchboard.example.yaml that the schema does not have (or prose comments starting with "word:")');
  });

  test('its switched-off settings are valid too: switched on, they make a valid config', () => {
    // A Postgres URL, BigQuery's keys and a sync's SELECT stand instead of DuckDB's keys and the sync's model: tried apart.
    const bigQuery = /^\s*(projectId|location|keyFile|datasetPrefix|maximumBytesBilled|apiEndpoint|jobTimeoutMs): /;
    const alternatives = new RegExp(`^\\s*(url: postgres|sql: )|${bigQuery.source}`);
    const on = text
      .split('\n')
      .map((line) => switchedOn(line) ?? line)
      .filter((line) => !alternatives.test(line))
      .join('\n');
    const file = parseConfig(parseYaml(on));
    assert.equal(file.syncs.length, 1);
    assert.equal(file.destinations.salesforce?.clientId, '3MVG9-your-consumer-key');
    assert.equal(file.destinations.zendesk?.email, 'agent@acme.com');
    assert.equal(file.pulls.connect?.subAccountId, 'acme-main');
    assert.equal(file.models.regions.work, 'US');
    assert.equal(file.warehouse.type === 'duckdb' ? file.warehouse.threads : undefined, 3);
    const url = /# url: (\S+)/.exec(text)?.[1];
    assert.equal(parseConfig({ warehouse: { type: 'postgres', url } }).warehouse.type, 'postgres');
    const bigQueryKeys = text
      .split('\n')
      .map((line) => switchedOn(line))
      .filter((line): line is string => line !== null && bigQuery.test(line))
      .map((line) => line.trim())
      .join('\n');
    const warehouse = parseConfig({ warehouse: { type: 'bigquery', ...(parseYaml(bigQueryKeys) as object) } }).warehouse;
    assert.equal(warehouse.type === 'bigquery' ? warehouse.projectId : undefined, 'acme-analytics');
    const sql = /# sql: (.+)$/m.exec(text)?.[1];
    const { model: _model, ...sync } = file.syncs[0] ?? assert.fail('a sync');
    assert.equal(parseConfig({ syncs: [{ ...sync, sql }] }).syncs[0]?.sql, sql);
  });
});

describe("README.md's configuration table", () => {
  const rows = readmeTable();

  test("the section's example file is a valid config", () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(readmeConfiguration())?.[1];
    assert.ok(example !== undefined, 'a yaml example');
    assert.equal(parseConfig(parseYaml(example)).warehouse.type, 'postgres');
  });

  test('names only keys of the schema', () => {
    assert.ok(rows.length > 40, `found ${rows.length} rows`);
    const unknown = rows.flatMap((row) => row.patterns.flat().filter((pattern) => matching(pattern).length === 0).map((pattern) => `${pattern} (row: ${row.text.slice(0, 80)})`));
    assert.deepEqual(unknown, [], 'README keys the schema does not have');
  });

  test('names every key of the schema that takes a value', () => {
    const named = new Set(rows.flatMap((row) => row.patterns.flat().flatMap((pattern) => matching(pattern).map((k) => k.key))));
    const missing = KEYS.filter((k) => k.leaf && !named.has(k.key)).map((k) => k.key);
    assert.deepEqual(missing, [], 'schema keys missing from the README table');
  });

  test("shows the schema's defaults", () => {
    const wrong: string[] = [];
    for (const row of rows) {
      row.patterns.forEach((alternatives, i) => {
        const shown = row.defaults.length === row.patterns.length ? row.defaults[i] : row.defaults[0];
        const literal = /^`([^`]*)`$/.exec(shown ?? '')?.[1];
        for (const key of alternatives.flatMap(matching)) {
          if (literal !== undefined && key.default !== undefined && !sameDefault(literal, key.default.value)) {
            wrong.push(`${key.key}: README says ${literal}, the schema ${JSON.stringify(key.default.value)}`);
          }
          if (shown === '—' && key.default !== undefined) wrong.push(`${key.key}: README says no default, the schema ${JSON.stringify(key.default.value)}`);
        }
      });
    }
    assert.deepEqual(wrong, []);
  });
});
