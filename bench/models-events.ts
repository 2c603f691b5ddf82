/**
 * The shapes bench:models generates: webhooks as 8x8 sends them, grouped into entities (one
 * call, message, meeting or chat conversation), plus the pools of numbers, people and rooms
 * they draw from. Family generators live in models-voice.ts, models-messaging.ts and
 * models-meetings.ts; bench/README.md describes the mix.
 */
import type { Random } from './models-random.js';

export type Family = 'voice' | 'messaging' | 'contact-center' | 'meetings';

/** Each family's raw table (ingest/families/<family>/index.ts), as `raw.<table>`. */
export const FAMILY_TABLES = {
  voice: 'voice_events',
  messaging: 'messaging_events',
  'contact-center': 'contact_center_events',
  meetings: 'meetings_events',
} as const satisfies Record<Family, string>;

/** One webhook: what the family's classify() records, and the exact body and kept headers. */
export interface Webhook {
  family: Family;
  /** As classify() names it, e.g. `SMS.inbound_message_received` or `SESSION_SUMMARY`. */
  eventType: string;
  /** As classify() derives it, e.g. `SESSION_SUMMARY:<sessionId>`. */
  dedupeKey: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * One event of an entity: when 8x8 sends it, in ms after the entity starts, and its webhook
 * once the start is placed on the timeline.
 */
export interface PlannedEvent {
  offset: number;
  write: (start: number) => Webhook;
}

/** Everything 8x8 sends about one call, message, meeting or chat, in offset order. */
export interface Entity {
  family: Family;
  events: PlannedEvent[];
}

/** @example iso(0) → '1970-01-01T00:00:00.000Z' */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO without fractions, as voice session summaries write times: '2025-03-04T11:20:05Z'. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Sorts an entity's events by offset (generators add them per leg or participant). */
export function entity(family: Family, events: PlannedEvent[]): Entity {
  return { family, events: events.sort((a, b) => a.offset - b.offset) };
}

/** A phone number and the ISO country 8x8 would report beside it. */
export interface Phone {
  e164: string;
  region: string;
}

type NumberMaker = (r: Random) => string;

/**
 * Mobile and geographic ranges that libphonenumber's 'max' metadata accepts as valid, so
 * the phone lookup sees mostly valid numbers, as in real traffic.
 */
const COUNTRIES: ReadonlyArray<{ region: string; weight: number; make: NumberMaker }> = [
  { region: 'US', weight: 35, make: (r) => `+1${r.pick(['212', '415', '646', '312', '617', '305', '206', '512', '702', '303'])}${r.int(201, 999)}${String(r.int(0, 9999)).padStart(4, '0')}` },
  { region: 'GB', weight: 15, make: (r) => `+447${r.int(4, 9)}${r.int(0, 9)}${r.int(0, 9)}${String(r.int(0, 999999)).padStart(6, '0')}` },
  { region: 'SG', weight: 10, make: (r) => `+65${r.pick(['8', '9'])}${String(r.int(0, 9999999)).padStart(7, '0')}` },
  { region: 'BR', weight: 10, make: (r) => `+5511${r.pick(['96', '97', '98', '99'])}${String(r.int(0, 9999999)).padStart(7, '0')}` },
  { region: 'DE', weight: 8, make: (r) => `+49${r.pick(['151', '160', '170', '171', '176'])}${String(r.int(0, 9999999)).padStart(7, '0')}${r.chance(0.5) ? r.int(0, 9) : ''}` },
  { region: 'RO', weight: 8, make: (r) => `+407${r.pick(['2', '4', '5', '6'])}${String(r.int(0, 9999999)).padStart(7, '0')}` },
  { region: 'FR', weight: 7, make: (r) => `+33${r.pick(['6', '7'])}${String(r.int(0, 99999999)).padStart(8, '0')}` },
  { region: 'AU', weight: 7, make: (r) => `+614${String(r.int(0, 99999999)).padStart(8, '0')}` },
];

/**
 * The numbers events draw from: customers (a skewed pool, so some call and text often),
 * the company's virtual numbers, its agents' phones and PBX extensions.
 */
export class NumberPool {
  readonly customers: Phone[];
  readonly virtualNumbers: Phone[];
  readonly agents: Phone[];

  constructor(private readonly r: Random, customerCount: number) {
    const make = (): Phone => {
      const country = COUNTRIES[this.countryIndex()] as (typeof COUNTRIES)[number];
      return { e164: country.make(r), region: country.region };
    };
    this.customers = Array.from({ length: customerCount }, make);
    this.virtualNumbers = Array.from({ length: 40 }, make);
    this.agents = Array.from({ length: 300 }, make);
  }

  /** A customer; low indices come up far more often (x^1.6 skew). */
  customer(): Phone {
    return this.customers[Math.floor(this.customers.length * this.r.next() ** 1.6)] as Phone;
  }

  virtualNumber(): Phone {
    return this.r.pick(this.virtualNumbers);
  }

  agent(): Phone {
    return this.r.pick(this.agents);
  }

  /** A PBX extension, e.g. '1042'. */
  extension(): string {
    return String(this.r.int(1000, 1999));
  }

  private countryIndex(): number {
    const total = COUNTRIES.reduce((sum, c) => sum + c.weight, 0);
    let left = this.r.next() * total;
    for (let i = 0; i < COUNTRIES.length; i++) {
      left -= (COUNTRIES[i] as (typeof COUNTRIES)[number]).weight;
      if (left < 0) return i;
    }
    return 0;
  }
}

const FIRST_NAMES = ['Ana', 'Ben', 'Chen', 'Dara', 'Elif', 'Femi', 'Greta', 'Hugo', 'Ines', 'Jon', 'Kenji', 'Lena', 'Mara', 'Nils', 'Omar', 'Priya', 'Rui', 'Sara', 'Tomas', 'Uma'];
const LAST_NAMES = ['Souza', 'Tan', 'Miller', 'Popescu', 'Novak', 'Okafor', 'Schmidt', 'Dubois', 'Kim', 'Rossi', 'Lee', 'Nguyen', 'Silva', 'Jones', 'Ivanova'];

/** A person's display name and work email. */
export function person(r: Random): { name: string; email: string } {
  const first = r.pick(FIRST_NAMES);
  const last = r.pick(LAST_NAMES);
  return { name: `${first} ${last}`, email: `${first}.${last}${r.int(1, 99)}@example.com`.toLowerCase() };
}

/** A short text from a small realistic set, sometimes with a number so bodies differ. */
export function text(r: Random, kind: 'customer' | 'agent'): string {
  const customer = ['Where is my order?', 'STOP', 'Can I change my delivery address?', 'Thanks!', 'What time do you open tomorrow?', 'My card was charged twice', 'YES', 'Is the item back in stock?'];
  const agent = ['Your order ships today.', 'Your code is', 'Happy to help, one moment please.', 'Your appointment is confirmed.', 'We have refunded the duplicate charge.', 'Reply STOP to opt out.'];
  const line = r.pick(kind === 'customer' ? customer : agent);
  return r.chance(0.4) ? `${line} ${r.digits(6)}` : line;
}
