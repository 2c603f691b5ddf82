/**
 * A WHERE clause built from a dead-letter filter, with its parameters in order: the four
 * sources name their columns, the clause is the same.
 */
import type { SqlDialect } from '../../sql/dialect.js';
import type { SqlParam } from '../../sql/warehouse.js';

export class Where {
  readonly params: SqlParam[] = [];
  private readonly parts: string[] = [];

  constructor(private readonly d: SqlDialect) {}

  /** A condition without parameters, e.g. `replayed_at IS NULL`. */
  raw(condition: string): this {
    this.parts.push(condition);
    return this;
  }

  /** `column = value`, when a value is given. */
  equals(column: string, value: string | undefined): this {
    if (value !== undefined) this.parts.push(`${column} = ${this.bind(value)}`);
    return this;
  }

  /** `column IN (…)`, when values are given (none: nothing matches). */
  oneOf(column: string, values: readonly string[] | undefined): this {
    if (values === undefined) return this;
    this.parts.push(values.length === 0 ? '1 = 0' : `${column} IN (${values.map((v) => this.bind(v)).join(', ')})`);
    return this;
  }

  /**
   * `column` contains `part`, ignoring case. LIKE has no escape every warehouse shares, so
   * `%` and `_` in `part` match anything here; callers check exactly afterwards.
   */
  contains(column: string, part: string | undefined): this {
    if (part !== undefined) this.parts.push(`LOWER(${column}) LIKE ${this.bind(`%${part.toLowerCase()}%`)}`);
    return this;
  }

  /** `column` in [since, until), each bound when given (ISO text). */
  between(column: string, since: string | undefined, until: string | undefined): this {
    if (since !== undefined) this.parts.push(`${column} >= ${this.bindTime(since)}`);
    if (until !== undefined) this.parts.push(`${column} < ${this.bindTime(until)}`);
    return this;
  }

  /** Pairs `(a = x AND b = y) OR …`, e.g. a sync's name and key. */
  pairs(a: string, b: string, values: ReadonlyArray<readonly [string, string]> | undefined): this {
    if (values === undefined) return this;
    if (values.length === 0) return this.raw('1 = 0');
    this.parts.push(`(${values.map(([x, y]) => `(${a} = ${this.bind(x)} AND ${b} = ${this.bind(y)})`).join(' OR ')})`);
    return this;
  }

  /** ` WHERE …`, or nothing. */
  toString(): string {
    return this.parts.length === 0 ? '' : ` WHERE ${this.parts.join(' AND ')}`;
  }

  private bind(value: string): string {
    this.params.push(value);
    return this.d.param(this.params.length);
  }

  private bindTime(value: string): string {
    this.params.push(new Date(value));
    return this.d.typedParam(this.params.length, 'timestamp');
  }
}
