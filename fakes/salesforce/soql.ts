/**
 * The slice of SOQL the fake Salesforce answers: what Switchboard and its tests send.
 *
 *   SELECT Id, Phone, MobilePhone FROM Lead WHERE IsConverted = false AND (Phone != null OR MobilePhone != null)
 *   SELECT Id, Switchboard_Call_Id__c FROM Task WHERE Switchboard_Call_Id__c IN ('a', 'b\'c')
 *
 * Keywords and field names are case-insensitive, as in Salesforce; string literals use
 * backslash escapes (\' \" \\ \n \r \t \b \f), as the SOQL reference documents
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm).
 * Also: `=`, `!=`, `<>`, `IN`, `NOT IN`, `AND`, `OR`, `NOT`, parentheses, `ORDER BY f [ASC|DESC]`, `LIMIT n`.
 */

export type SoqlValue = string | number | boolean | null;

export interface SoqlQuery {
  object: string;
  fields: string[];
  where: Condition | null;
  orderBy: { field: string; descending: boolean } | null;
  limit: number | null;
}

export type Condition =
  | { kind: 'compare'; field: string; op: '=' | '!='; value: SoqlValue }
  | { kind: 'in'; field: string; negated: boolean; values: SoqlValue[] }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; inner: Condition };

/** A query the fake cannot read: answered as MALFORMED_QUERY. */
export class SoqlSyntaxError extends Error {}

type Token = { type: 'word' | 'string' | 'number' | 'symbol'; text: string; value?: SoqlValue };

const ESCAPES: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      let text = '';
      i += 1;
      for (;;) {
        if (i >= soql.length) throw new SoqlSyntaxError('unterminated string literal');
        const d = soql[i] as string;
        if (d === '\\') {
          const escaped = ESCAPES[soql[i + 1] ?? ''];
          if (escaped === undefined) throw new SoqlSyntaxError(`invalid escape \\${soql[i + 1] ?? ''}`);
          text += escaped;
          i += 2;
        } else if (d === "'") {
          i += 1;
          break;
        } else {
          text += d;
          i += 1;
        }
      }
      tokens.push({ type: 'string', text, value: text });
    } else if (/[0-9-]/.test(c)) {
      const match = /^-?[0-9]+(\.[0-9]+)?/.exec(soql.slice(i));
      if (match === null) throw new SoqlSyntaxError(`unexpected "${c}"`);
      tokens.push({ type: 'number', text: match[0], value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(soql.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'word', text: match[0] });
      i += match[0].length;
    } else {
      const two = soql.slice(i, i + 2);
      const symbol = two === '!=' || two === '<>' ? two : c;
      if (!['(', ')', ',', '=', '!=', '<>'].includes(symbol)) throw new SoqlSyntaxError(`unexpected "${symbol}"`);
      tokens.push({ type: 'symbol', text: symbol });
      i += symbol.length;
    }
  }
  return tokens;
}

/** Parses one query; throws SoqlSyntaxError. */
export function parseSoql(soql: string): SoqlQuery {
  const tokens = tokenize(soql);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isWord = (word: string): boolean => peek()?.type === 'word' && peek()?.text.toUpperCase() === word;
  const expectWord = (word: string): void => {
    if (!isWord(word)) throw new SoqlSyntaxError(`expected ${word} near "${peek()?.text ?? 'end'}"`);
    at += 1;
  };
  const expectSymbol = (symbol: string): void => {
    if (peek()?.text !== symbol) throw new SoqlSyntaxError(`expected "${symbol}" near "${peek()?.text ?? 'end'}"`);
    at += 1;
  };
  const name = (): string => {
    const token = peek();
    if (token?.type !== 'word') throw new SoqlSyntaxError(`expected a name near "${token?.text ?? 'end'}"`);
    at += 1;
    return token.text;
  };
  const literal = (): SoqlValue => {
    const token = peek();
    if (token === undefined) throw new SoqlSyntaxError('expected a value');
    at += 1;
    if (token.type === 'string' || token.type === 'number') return token.value as SoqlValue;
    const word = token.text.toLowerCase();
    if (word === 'null') return null;
    if (word === 'true' || word === 'false') return word === 'true';
    throw new SoqlSyntaxError(`unexpected "${token.text}" where a value belongs`);
  };

  const primary = (): Condition => {
    if (isWord('NOT')) {
      at += 1;
      return { kind: 'not', inner: primary() };
    }
    if (peek()?.text === '(') {
      at += 1;
      const inner = disjunction();
      expectSymbol(')');
      return inner;
    }
    const field = name();
    if (isWord('IN') || isWord('NOT')) {
      const negated = isWord('NOT');
      if (negated) at += 1;
      expectWord('IN');
      expectSymbol('(');
      const values = [literal()];
      while (peek()?.text === ',') {
        at += 1;
        values.push(literal());
      }
      expectSymbol(')');
      return { kind: 'in', field, negated, values };
    }
    const op = peek()?.text;
    if (op !== '=' && op !== '!=' && op !== '<>') throw new SoqlSyntaxError(`unsupported operator near "${op ?? 'end'}"`);
    at += 1;
    return { kind: 'compare', field, op: op === '=' ? '=' : '!=', value: literal() };
  };
  const conjunction = (): Condition => {
    let left = primary();
    while (isWord('AND')) {
      at += 1;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const disjunction = (): Condition => {
    let left = conjunction();
    while (isWord('OR')) {
      at += 1;
      left = { kind: 'or', left, right: conjunction() };
    }
    return left;
  };

  expectWord('SELECT');
  const fields = [name()];
  while (peek()?.text === ',') {
    at += 1;
    fields.push(name());
  }
  expectWord('FROM');
  const object = name();
  let where: Condition | null = null;
  if (isWord('WHERE')) {
    at += 1;
    where = disjunction();
  }
  let orderBy: SoqlQuery['orderBy'] = null;
  if (isWord('ORDER')) {
    at += 1;
    expectWord('BY');
    const field = name();
    let descending = false;
    if (isWord('ASC') || isWord('DESC')) {
      descending = isWord('DESC');
      at += 1;
    }
    orderBy = { field, descending };
  }
  let limit: number | null = null;
  if (isWord('LIMIT')) {
    at += 1;
    const value = literal();
    if (typeof value !== 'number') throw new SoqlSyntaxError('LIMIT takes a number');
    limit = value;
  }
  if (at < tokens.length) throw new SoqlSyntaxError(`unexpected "${peek()?.text}"`);
  return { object, fields, where, orderBy, limit };
}

/** Every field a condition names, to check them against the object. */
export function conditionFields(condition: Condition | null): string[] {
  if (condition === null) return [];
  switch (condition.kind) {
    case 'and':
    case 'or':
      return [...conditionFields(condition.left), ...conditionFields(condition.right)];
    case 'not':
      return conditionFields(condition.inner);
    default:
      return [condition.field];
  }
}

/** Whether `read(field)` satisfies the condition. Strings compare case-insensitively, as Salesforce's `=` does. */
export function matches(condition: Condition | null, read: (field: string) => SoqlValue | undefined): boolean {
  if (condition === null) return true;
  const same = (a: SoqlValue | undefined, b: SoqlValue): boolean => {
    const left = a ?? null;
    if (left === null || b === null) return left === b;
    if (typeof left === 'string' && typeof b === 'string') return left.toLowerCase() === b.toLowerCase();
    return left === b;
  };
  switch (condition.kind) {
    case 'compare':
      return condition.op === '=' ? same(read(condition.field), condition.value) : !same(read(condition.field), condition.value);
    case 'in': {
      const found = condition.values.some((v) => same(read(condition.field), v));
      return condition.negated ? !found : found;
    }
    case 'and':
      return matches(condition.left, read) && matches(condition.right, read);
    case 'or':
      return matches(condition.left, read) || matches(condition.right, read);
    case 'not':
      return !matches(condition.inner, read);
  }
}
