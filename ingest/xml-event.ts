/**
 * 8x8's XML rendering of a Connect event, read into the object its JSON rendering would be.
 * The SMS delivery receipt page shows both renderings of one receipt
 * (8x8Cloud/public-developer-docs docs/connect/docs/delivery-receipts-for-outbound-sms.md):
 *
 *   <?xml version="1.0" encoding="UTF-8" ?>
 *   <root><namespace>SMS</namespace>…<payload><umid>…</umid><status><state>…</state>…
 *
 * The root element stands for the JSON object; each child element is a field; an element
 * with children is an object, one with text a string (XML has no numbers: `<smsCount>3`
 * reads "3", which models cast as they cast JSON text); a repeated name becomes an array.
 * The docs leave open how XML is enabled, its content type, and how arrays or empty fields
 * are rendered; this reader is strict about everything else: no DOCTYPE (no entity
 * expansion), no text beside child elements, balanced tags. Attributes are ignored.
 */

type XmlValue = string | XmlObject | XmlValue[];
interface XmlObject {
  [name: string]: XmlValue;
}

/** True when `text` (after a byte-order mark and whitespace) starts like an XML document. */
export function looksLikeXml(text: string): boolean {
  return /^\ufeff?\s*</.test(text);
}

/**
 * The XML document's root element as an object, or null when it is not a well-formed
 * document this reader accepts.
 * @example parseXmlEvent('<root><a>1</a><b><c>x</c></b></root>') → { a: '1', b: { c: 'x' } }
 */
export function parseXmlEvent(text: string): Record<string, unknown> | null {
  const reader = new Reader(text.replace(/^\ufeff/, ''));
  try {
    reader.skipProlog();
    const root = reader.element();
    reader.skipMisc();
    if (!reader.done() || typeof root.value !== 'object' || Array.isArray(root.value)) return null;
    return root.value;
  } catch {
    return null;
  }
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class Reader {
  private at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  skipProlog(): void {
    this.skipSpace();
    if (this.text.startsWith('<?xml', this.at)) this.skipPast('?>');
    this.skipMisc();
  }

  /** Whitespace and comments; a DOCTYPE or processing instruction is refused. */
  skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('<!--', this.at)) this.skipPast('-->');
      else if (this.text.startsWith('<!', this.at) || this.text.startsWith('<?', this.at)) throw new Error('unsupported markup');
      else return;
    }
  }

  element(): { name: string; value: XmlValue } {
    this.expect('<');
    const name = this.name();
    const close = this.text.indexOf('>', this.at);
    if (close < 0) throw new Error('unclosed tag');
    const selfClosing = this.text[close - 1] === '/';
    this.at = close + 1; // attributes, if any, are ignored
    if (selfClosing) return { name, value: '' };
    const children: Array<{ name: string; value: XmlValue }> = [];
    let text = '';
    for (;;) {
      if (this.done()) throw new Error(`unclosed <${name}>`);
      if (this.text.startsWith('</', this.at)) {
        this.at += 2;
        if (this.name() !== name) throw new Error('mismatched tag');
        this.skipSpace();
        this.expect('>');
        break;
      }
      if (this.text.startsWith('<!--', this.at)) this.skipPast('-->');
      else if (this.text.startsWith('<![CDATA[', this.at)) {
        const end = this.text.indexOf(']]>', this.at);
        if (end < 0) throw new Error('unclosed CDATA');
        text += this.text.slice(this.at + 9, end);
        this.at = end + 3;
      } else if (this.text.startsWith('<!', this.at) || this.text.startsWith('<?', this.at)) throw new Error('unsupported markup');
      else if (this.text[this.at] === '<') children.push(this.element());
      else {
        const next = this.text.indexOf('<', this.at);
        const end = next < 0 ? this.text.length : next;
        text += decodeEntities(this.text.slice(this.at, end));
        this.at = end;
      }
    }
    if (children.length === 0) return { name, value: text };
    if (text.trim() !== '') throw new Error('text beside elements');
    // No prototype: an element named __proto__ is a field like any other.
    const object = Object.create(null) as XmlObject;
    const repeated = new Set<string>();
    for (const child of children) {
      const seen = object[child.name];
      if (seen === undefined) object[child.name] = child.value;
      else if (repeated.has(child.name)) (seen as XmlValue[]).push(child.value);
      else {
        object[child.name] = [seen, child.value];
        repeated.add(child.name);
      }
    }
    return { name, value: object };
  }

  private name(): string {
    NAME.lastIndex = this.at;
    const match = NAME.exec(this.text);
    if (match === null) throw new Error('expected a name');
    this.at += match[0].length;
    return match[0];
  }

  private expect(char: string): void {
    if (this.text[this.at] !== char) throw new Error(`expected ${char}`);
    this.at += 1;
  }

  private skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at] as string)) this.at += 1;
  }

  private skipPast(marker: string): void {
    const end = this.text.indexOf(marker, this.at);
    if (end < 0) throw new Error(`expected ${marker}`);
    this.at = end + marker.length;
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (match, entity: string) => {
    if (entity.startsWith('#x')) return safeCodePoint(Number.parseInt(entity.slice(2), 16)) ?? match;
    if (entity.startsWith('#')) return safeCodePoint(Number.parseInt(entity.slice(1), 10)) ?? match;
    const named = ENTITIES[entity];
    if (named === undefined) throw new Error(`unknown entity &${entity};`);
    return named;
  });
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : undefined;
}
