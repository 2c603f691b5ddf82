/**
 * CSV as RFC 4180 writes it, for seeds: fields separated by commas, a field in double quotes
 * may hold commas, line breaks and doubled quotes (`"say ""hi"""`), lines end in CRLF or LF
 * (mixed in one file too), and a UTF-8 byte-order mark at the start is dropped.
 * https://www.rfc-editor.org/rfc/rfc4180#section-2
 *
 * A small parser of its own rather than csv-parse: a seed's errors name the line a record
 * starts on, and csv-parse reports the line it ends on (a quoted line break moves it) and
 * miscounts lines when LF and CRLF mix.
 */

/** One record of the file, with the line (1-based) it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Why a CSV file does not parse, and the line (1-based) where. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Every record of `text`, blank lines left out.
 * @throws CsvSyntaxError for a quote left open, text after a closing quote, or a quote inside an unquoted field
 * @example parseCsv('a,b\r\n1,"x, ""y"""\n') → [{ fields: ['a', 'b'], line: 1 }, { fields: ['1', 'x, "y"'], line: 2 }]
 */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < input.length) {
    // A line with nothing on it is no record (a trailing newline, a blank line between rows).
    const blank = lineBreak(input, i);
    if (blank > 0) {
      i += blank;
      line += 1;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (input[i] === '"') {
        const opened = line;
        i += 1;
        for (;;) {
          if (i >= input.length) throw new CsvSyntaxError(opened, `line ${opened}: a quoted field is never closed; end it with " (a quote inside a quoted field is written "").`);
          const c = input[i] as string;
          if (c === '"' && input[i + 1] === '"') {
            value += '"';
            i += 2;
          } else if (c === '"') {
            i += 1;
            break;
          } else {
            const breakLength = lineBreak(input, i);
            if (breakLength > 0) line += 1;
            value += input.slice(i, i + Math.max(1, breakLength));
            i += Math.max(1, breakLength);
          }
        }
        if (i < input.length && input[i] !== ',' && lineBreak(input, i) === 0) {
          throw new CsvSyntaxError(line, `line ${line}: text after a closing quote (${JSON.stringify(input.slice(i, i + 10))}); quote the whole field, with a quote inside written "".`);
        }
      } else {
        while (i < input.length && input[i] !== ',' && lineBreak(input, i) === 0) {
          if (input[i] === '"') throw new CsvSyntaxError(line, `line ${line}: a quote inside an unquoted field; quote the whole field and double the quote inside ("a ""b"" c").`);
          value += input[i];
          i += 1;
        }
      }
      fields.push(value);
      if (input[i] === ',') {
        i += 1;
        continue;
      }
      const end = lineBreak(input, i);
      i += end;
      if (end > 0) line += 1;
      break;
    }
    records.push({ fields, line: start });
  }
  return records;
}

/** The length of the line break at `i` (2 for CRLF, 1 for LF or a lone CR), or 0. */
function lineBreak(text: string, i: number): number {
  const c = text[i];
  if (c === '\n') return 1;
  if (c === '\r') return text[i + 1] === '\n' ? 2 : 1;
  return 0;
}
