/**
 * The macros the package ships in models/macros/ (usable from any user project, too): the
 * SQL each writes on all four warehouses, compared with what the same model would say
 * without them, and their documentation (a `{# … #}` comment with an example above each
 * macro, and a line in the README's Macros section). That the bundled models give the same
 * rows with them as before is test/models/golden-rows.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { loadProject } from '../../sql/engine/project.js';
import { renderTemplate, type PiiPolicy } from '../../sql/engine/render.js';
import { dialectFor, type DialectName } from '../../sql/warehouses/index.js';

const DIALECTS: readonly DialectName[] = ['duckdb', 'postgres', 'bigquery', 'snowflake'];
const { macros } = await loadProject(BUNDLED_MODELS_DIR, dialectFor('duckdb'));
const squash = (sql: string): string => sql.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();

for (const name of DIALECTS) {
  describe(`bundled macros on ${name}`, () => {
    const d = dialectFor(name);
    const rel = (model: string): string => d.tableName('analytics', model);
    const render = (template: string, options: { incremental?: boolean; piiPolicy?: (column: string) => PiiPolicy } = {}): string =>
      squash(
        renderTemplate(template, 'm.sql', {
          dialect: d, targetSchema: 'analytics', self: rel('m'), incremental: options.incremental ?? false, macros, hashSalt: 'pepper',
          relation: (_kind, model) => rel(model),
          ...(options.piiPolicy === undefined ? {} : { piiPolicy: options.piiPolicy }),
        }),
      );
    const bigint = d.typeName('bigint');
    const watermark = render("{{ watermark('last_updated_at') }}", { incremental: true });

    test('whole_seconds, whole_seconds_between, whole_seconds_of_ms, whole_seconds_of_ms_or_between: one rounding rule', () => {
      assert.equal(render("{{ whole_seconds('x / 60.0') }}"), `cast(round(x / 60.0) as ${bigint})`);
      assert.equal(render("{{ whole_seconds_between('a.started_at', 'a.ended_at') }}"), `cast(round(${d.secondsBetween('a.started_at', 'a.ended_at')}) as ${bigint})`);
      assert.equal(render("{{ whole_seconds_of_ms('w.talk_ms') }}"), `cast(round(w.talk_ms / 1000.0) as ${bigint})`);
      assert.equal(
        render("{{ whole_seconds_of_ms_or_between('w.call_ms', 'w.started_at', 'w.ended_at') }}"),
        `cast(round(coalesce(w.call_ms / 1000.0, ${d.secondsBetween('w.started_at', 'w.ended_at')})) as ${bigint})`,
      );
    });

    test('changed_since_last_build: the keys something landed for since the watermark, in one relation or any of several', () => {
      const one = render("{{ changed_since_last_build('message_id', ref('stg_message_events')) }}", { incremental: true });
      assert.equal(one, `message_id in (select message_id from ${rel('stg_message_events')} where landed_at > ${watermark})`);
      const two = render("{{ changed_since_last_build('call_id', [ref('stg_work_legs'), ref('stg_work_calls')]) }}", { incremental: true });
      assert.equal(two, `(call_id in (select call_id from ${rel('stg_work_legs')} where landed_at > ${watermark}) or call_id in (select call_id from ${rel('stg_work_calls')} where landed_at > ${watermark}))`);
      const other = render("{{ changed_since_last_build('k', ref('s'), 'landed_at') }}", { incremental: true });
      assert.equal(other, `k in (select k from ${rel('s')} where landed_at > ${render("{{ watermark('landed_at') }}", { incremental: true })})`);
    });

    test('latest_version_ctes: every version, the newest per key and when first seen; in an incremental build only changed keys', () => {
      const template = "with {{ latest_version_ctes('work', ref('stg_work_calls'), 'call_id') }} select * from work_latest";
      const newest = squash(d.firstRowPer('select * from work_versions', 'call_id', 'landed_at desc, dedupe_key desc'));
      const rest = `work_latest as (${newest}), work_seen as (select call_id, min(first_received_at) as first_seen_at, max(landed_at) as last_updated_at from work_versions group by call_id) select * from work_latest`;
      assert.equal(render(template), `with work_versions as (select * from ${rel('stg_work_calls')}), ${rest}`);
      assert.equal(
        render(template, { incremental: true }),
        `with work_versions as (select * from ${rel('stg_work_calls')} where call_id in (select call_id from ${rel('stg_work_calls')} where landed_at > ${watermark})), ${rest}`,
      );
      const filtered = "{{ latest_version_ctes('w', ref('legs'), 'call_id, leg_id', where='call_id is not null', changed_key='call_id', changed_in=[ref('legs'), ref('calls')]) }}";
      assert.match(render(filtered), new RegExp(`^w_versions as \\(select \\* from ${escape(rel('legs'))} where call_id is not null\\), w_latest as`));
      const changed = render(`{{ changed_since_last_build('call_id', [ref('legs'), ref('calls')]) }}`, { incremental: true });
      assert.ok(render(filtered, { incremental: true }).startsWith(`w_versions as (select * from ${rel('legs')} where call_id is not null and ${changed}), w_latest as`));
      assert.ok(render(filtered).includes('group by call_id, leg_id)'), 'first seen per whole key');
    });

    test('phone_pair_columns and phone_pair_joins: numbers through the lookup, each column under its PII policy', () => {
      const lookup = rel('phone_numbers');
      assert.equal(
        render("{{ phone_pair_joins('r.from_raw', 'r.from_region', 'r.to_raw', 'r.to_region') }}"),
        `left join ${lookup} as f on f.raw = r.from_raw and f.region_hint = r.from_region left join ${lookup} as t on t.raw = r.to_raw and t.region_hint = r.to_region`,
      );
      assert.equal(render("{{ phone_number_join('c', 'w.callee_raw', 'w.region_hint') }}"), `left join ${lookup} as c on c.raw = w.callee_raw and c.region_hint = w.region_hint`);
      const four = 'f.e164 as from_e164, t.e164 as to_e164, r.a as from_raw, r.b as to_raw';
      assert.equal(render("{{ phone_pair_columns('r.a', 'r.b') }}"), `${four}, f.extension as from_extension, t.extension as to_extension`);
      assert.equal(render("{{ phone_pair_columns('r.a', 'r.b', extensions=false) }}"), four);
      assert.equal(render("{{ phone_pair_columns('r.a', 'r.b', to_extension='coalesce(c.extension, t.extension)') }}"), `${four}, f.extension as from_extension, coalesce(c.extension, t.extension) as to_extension`);
      const hashed = render("{{ phone_pair_columns('r.a', 'r.b') }}", { piiPolicy: (column) => (column === 'from_raw' ? 'hash' : 'keep') });
      assert.ok(hashed.includes(`${squash(d.sha256Hex("'pepper' || r.a"))} END as from_raw`), 'the policy is asked per column name');
      assert.ok(hashed.includes('t.e164 as to_e164') && hashed.includes('r.b as to_raw'));
    });
  });
}

describe('the bundled macros are documented', () => {
  const dir = join(BUNDLED_MODELS_DIR, 'macros');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const defined = files.flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\{#((?:(?!#\}).)*)#\}\s*\{% macro (\w+)\(|\{% macro (\w+)\(/gs)]);

  test('each has a comment above it that starts with its signature and gives an example', () => {
    assert.ok(defined.length >= 8);
    for (const [, comment, name, bare] of defined) {
      assert.equal(bare, undefined, `${bare}: no {# … #} comment right above the macro`);
      assert.match(comment ?? '', new RegExp(`^\\s*${name}\\(`), `${name}: the comment starts with the signature`);
      assert.match(comment ?? '', /Example:/, `${name}: the comment gives an example`);
    }
  });

  test("each is listed in the README's Macros section", () => {
    const readme = readFileSync(join(BUNDLED_MODELS_DIR, '..', 'README.md'), 'utf8');
    const start = readme.indexOf('### Macros');
    const section = readme.slice(start, start + 1 + readme.slice(start + 1).search(/\n##+ /));
    for (const [, , name] of defined) assert.ok(section.includes(`\`${name}(`), `${name} is in README › Macros`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
