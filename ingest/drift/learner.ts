/**
 * What has been learned of one (family, event type), and the rules that turn a new event
 * into drift. Pure: it reads and changes the rows of `_schema_paths` in memory; the run
 * (schema-drift.ts) loads and saves them.
 *
 * Events are counted per type in the order they landed (ordinal 1, 2, …; with sampling, only
 * the sampled ones count), and every rule is in those events, not in time, so a quiet type is
 * never "missing" anything:
 *
 * - **Warm-up.** The first `drift.warmupEvents` events of a type are its baseline: whatever
 *   they hold is learned, nothing is drift. So the first run on a new installation, and the
 *   first events of a type never seen before, record nothing.
 * - **path_added.** After the warm-up, a path the type never had. Only the outermost new
 *   path counts: a new object `$.recording` with `url` and `size` is one drift, not three.
 *   Later events with the path add to its count.
 * - **type_changed.** After the warm-up, a path known with one non-null type arrives with
 *   another non-null type (a number that became a string). `null` is no type of its own:
 *   a field that is sometimes null is not drift.
 * - **path_missing.** A path that was regular (in at least `drift.missingMinSeen` events,
 *   and in at least half the events from its first to its last; after it came back from
 *   being missing, counted from its return) has not appeared in the last
 *   `drift.missingAfterEvents` events of its type. An optional field seen now and then
 *   never qualifies. Only the outermost missing path counts. Recorded once; if the path
 *   comes back and goes missing again, the same row counts again.
 * - **possible_rename.** When a path goes missing and a path recorded as added first
 *   appeared right after the missing one was last seen (within the first tenth of the
 *   window), the pair is recorded as a possible rename instead of a missing path (the
 *   added path keeps its own path_added row, recorded when it appeared).
 */
import { createHash } from 'node:crypto';
import { parentOf, type FlatPath } from './flatten.js';
import type { DriftKind } from './tables.js';

/** The `drift.*` settings the rules read. */
export interface DriftRules {
  warmupEvents: number;
  missingAfterEvents: number;
  missingMinSeen: number;
}

/** Most (path, type) pairs learned per event type; past it new paths are ignored (and counted). */
export const MAX_PATHS_PER_TYPE = 5000;

/** One row of `_schema_paths`, in memory. */
export interface PathState {
  path: string;
  type: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  seenCount: number;
  firstEvent: number;
  lastEvent: number;
  /** The ordinal its current presence began at (its first, or its return after being missing). */
  sinceEvent: number;
  /** Events with it since {@link sinceEvent}. */
  seenSince: number;
  driftKind: 'path_added' | 'type_changed' | null;
  missingSince: Date | null;
}

/** A row of `schema_drift` found (or a count added to one), before its sample is redacted. */
export interface DriftRecord {
  driftId: string;
  family: string | null;
  eventType: string | null;
  kind: DriftKind;
  path: string;
  oldType: string | null;
  newType: string | null;
  renamedFrom: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  count: number;
  /** The raw value to redact into `sample`; undefined for none. */
  value?: unknown;
  /** A sample that holds no value of an event, stored as it is (a destination's error code). */
  sample?: string;
  /** destination_field: the sync. */
  destination: string | null;
  /** True when this is a finding (a row that did not exist, or a path missing again), false for a count added to a recorded one. */
  found: boolean;
}

/** The stable id of a drift: the same drift found again is the same row. */
export function driftId(parts: ReadonlyArray<string | null>): string {
  return `d_${createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000'), 'utf8').digest('hex').slice(0, 32)}`;
}

/** Drift records of one batch, merged by id (an upsert takes each key once). */
export class DriftRecords {
  private readonly byId = new Map<string, DriftRecord>();

  add(record: DriftRecord): void {
    const seen = this.byId.get(record.driftId);
    if (seen === undefined) {
      this.byId.set(record.driftId, { ...record });
      return;
    }
    seen.count += record.count;
    if (record.firstSeenAt < seen.firstSeenAt) seen.firstSeenAt = record.firstSeenAt;
    if (record.lastSeenAt > seen.lastSeenAt) seen.lastSeenAt = record.lastSeenAt;
    if (seen.value === undefined && record.value !== undefined) seen.value = record.value;
    seen.sample ??= record.sample;
    seen.found ||= record.found;
  }

  get size(): number {
    return this.byId.size;
  }

  values(): DriftRecord[] {
    return [...this.byId.values()];
  }
}

export class LearnedType {
  private readonly paths = new Map<string, PathState>();
  private readonly typesOf = new Map<string, Set<string>>();
  private readonly dirty = new Set<PathState>();
  /** When each event of the current batch landed, by ordinal. */
  private landed = new Map<number, Date>();
  /** Events learned so far (the seen_count of `$`). */
  events = 0;
  /** New paths left out since this was loaded, past {@link MAX_PATHS_PER_TYPE}. */
  ignored = 0;

  constructor(
    readonly family: string,
    readonly eventType: string,
    rows: readonly PathState[],
  ) {
    for (const row of rows) this.insert(row);
    this.events = rows.filter((r) => r.path === '$').reduce((n, r) => n + r.seenCount, 0);
  }

  /** The rows changed since the last call. */
  takeDirty(): PathState[] {
    const rows = [...this.dirty];
    this.dirty.clear();
    this.landed = new Map();
    return rows;
  }

  /** Learns one event's paths (flatten.ts); what is drift goes to `out`. */
  learn(landedAt: Date, flat: ReadonlyMap<string, FlatPath>, rules: DriftRules, out: DriftRecords): void {
    const ordinal = ++this.events;
    this.landed.set(ordinal, landedAt);
    const warm = ordinal > rules.warmupEvents;
    const added: FlatPath[] = [];
    const changed: Array<{ flat: FlatPath; from: string }> = [];
    const back = new Set<string>();
    for (const fp of flat.values()) {
      const state = this.paths.get(`${fp.path}\t${fp.type}`);
      if (state !== undefined) {
        state.seenCount += 1;
        state.seenSince += 1;
        state.lastEvent = ordinal;
        if (landedAt > state.lastSeenAt) state.lastSeenAt = landedAt;
        this.dirty.add(state);
        if (state.missingSince !== null) back.add(fp.path);
        if (state.driftKind !== null) out.add(this.record(state.driftKind, fp.path, { newType: fp.type, at: landedAt, found: false }));
        continue;
      }
      if (this.paths.size >= MAX_PATHS_PER_TYPE) {
        this.ignored += 1;
        continue;
      }
      const known = this.typesOf.get(fp.path);
      const from = known === undefined || fp.type === 'null' ? null : this.dominantType(fp.path);
      const fresh: PathState = { path: fp.path, type: fp.type, firstSeenAt: landedAt, lastSeenAt: landedAt, seenCount: 1, firstEvent: ordinal, lastEvent: ordinal, sinceEvent: ordinal, seenSince: 1, driftKind: null, missingSince: null };
      this.insert(fresh);
      this.dirty.add(fresh);
      if (known !== undefined && this.isMissing(fp.path)) back.add(fp.path);
      if (!warm) continue;
      if (known === undefined) added.push(fp);
      else if (from !== null) changed.push({ flat: fp, from });
    }
    // Only the outermost: below a path that arrived as drift in this event, nothing more is.
    const arrived = new Set([...added, ...changed.map((c) => c.flat)].map((fp) => fp.path));
    const below = (path: string): boolean => {
      for (let p = parentOf(path); p !== null; p = parentOf(p)) if (arrived.has(p)) return true;
      return false;
    };
    for (const fp of added) {
      if (below(fp.path)) continue;
      this.mark(fp, 'path_added');
      out.add(this.record('path_added', fp.path, { newType: fp.type, at: landedAt, value: fp.value, found: true }));
    }
    for (const { flat: fp, from } of changed) {
      if (below(fp.path)) continue;
      this.mark(fp, 'type_changed');
      out.add(this.record('type_changed', fp.path, { oldType: from, newType: fp.type, at: landedAt, value: fp.value, found: true }));
    }
    for (const path of back) this.setMissing(path, null);
  }

  /** Records the paths that stopped appearing (path_missing, or possible_rename); run after a batch. */
  checkMissing(rules: DriftRules, out: DriftRecords): void {
    const window = rules.missingAfterEvents;
    const byPath = this.aggregate();
    const gone: string[] = [];
    for (const [path, p] of byPath) {
      if (path === '$' || p.missing || this.events - p.last < window || p.seen < rules.missingMinSeen) continue;
      if (p.seen / (p.last - p.since + 1) < 0.5) continue; // optional: present in fewer than half the events of its span
      gone.push(path);
    }
    if (gone.length === 0) return;
    const goneSet = new Set(gone);
    const covered = (path: string): boolean => {
      for (let p = parentOf(path); p !== null; p = parentOf(p)) if (goneSet.has(p) || byPath.get(p)?.missing === true) return true;
      return false;
    };
    const candidates = [...this.paths.values()].filter((s) => s.driftKind === 'path_added' && s.missingSince === null && !goneSet.has(s.path));
    const used = new Set<string>();
    const slack = Math.max(1, Math.ceil(window / 10));
    for (const path of gone.sort()) {
      const p = byPath.get(path)!;
      const at = this.landed.get(p.last + window) ?? this.latest();
      this.setMissing(path, at);
      if (covered(path)) continue;
      const oldType = this.dominantType(path);
      const parent = parentOf(path);
      // Preferred: a sibling, of the same type, that appeared in the very next event.
      const rank = (c: PathState): number => (parentOf(c.path) === parent ? 0 : 4) + (c.type === oldType ? 0 : 2) + Math.min(1, c.firstEvent - p.last - 1);
      const to = candidates
        .filter((c) => !used.has(c.path) && c.firstEvent > p.last && c.firstEvent <= p.last + slack)
        .sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path))[0];
      const count = this.events - p.last;
      if (to === undefined) {
        out.add(this.record('path_missing', path, { oldType, at, count, found: true }));
      } else {
        used.add(to.path);
        out.add(this.record('possible_rename', to.path, { oldType, newType: to.type, renamedFrom: path, at, count, found: true }));
      }
    }
  }

  private record(
    kind: DriftKind,
    path: string,
    o: { oldType?: string | null; newType?: string | null; renamedFrom?: string; at: Date; count?: number; value?: unknown; found: boolean },
  ): DriftRecord {
    const typed = kind === 'path_added' || kind === 'type_changed' ? (o.newType ?? null) : (o.renamedFrom ?? null);
    return {
      driftId: driftId([kind, this.family, this.eventType, path, typed]),
      family: this.family,
      eventType: this.eventType,
      kind,
      path,
      oldType: o.oldType ?? null,
      newType: o.newType ?? null,
      renamedFrom: o.renamedFrom ?? null,
      firstSeenAt: o.at,
      lastSeenAt: o.at,
      count: o.count ?? 1,
      ...(o.value === undefined ? {} : { value: o.value }),
      destination: null,
      found: o.found,
    };
  }

  private insert(state: PathState): void {
    this.paths.set(`${state.path}\t${state.type}`, state);
    let types = this.typesOf.get(state.path);
    if (types === undefined) this.typesOf.set(state.path, (types = new Set()));
    types.add(state.type);
  }

  private mark(fp: FlatPath, kind: 'path_added' | 'type_changed'): void {
    const state = this.paths.get(`${fp.path}\t${fp.type}`);
    if (state !== undefined) state.driftKind = kind;
  }

  /** The non-null type `path` was seen with most, other than one just added. */
  private dominantType(path: string): string | null {
    let best: PathState | null = null;
    for (const type of this.typesOf.get(path) ?? []) {
      const state = this.paths.get(`${path}\t${type}`)!;
      if (type === 'null' || state.seenCount === 0) continue;
      if (best === null || state.seenCount > best.seenCount) best = state;
    }
    return best?.type ?? null;
  }

  private isMissing(path: string): boolean {
    return [...(this.typesOf.get(path) ?? [])].some((type) => this.paths.get(`${path}\t${type}`)?.missingSince != null);
  }

  private setMissing(path: string, at: Date | null): void {
    for (const type of this.typesOf.get(path) ?? []) {
      const state = this.paths.get(`${path}\t${type}`)!;
      if ((state.missingSince === null) === (at === null)) continue;
      state.missingSince = at;
      if (at === null) {
        // Back: how regular it is is judged afresh from here.
        state.sinceEvent = this.events;
        state.seenSince = state.lastEvent === this.events ? 1 : 0;
      }
      this.dirty.add(state);
    }
  }

  private aggregate(): Map<string, { since: number; last: number; seen: number; missing: boolean }> {
    const out = new Map<string, { since: number; last: number; seen: number; missing: boolean }>();
    for (const s of this.paths.values()) {
      const p = out.get(s.path);
      if (p === undefined) out.set(s.path, { since: s.sinceEvent, last: s.lastEvent, seen: s.seenSince, missing: s.missingSince !== null });
      else {
        p.since = Math.min(p.since, s.sinceEvent);
        p.last = Math.max(p.last, s.lastEvent);
        p.seen += s.seenSince;
        p.missing ||= s.missingSince !== null;
      }
    }
    return out;
  }

  private latest(): Date {
    let latest = new Date(0);
    for (const at of this.landed.values()) if (at > latest) latest = at;
    if (latest.getTime() === 0) for (const s of this.paths.values()) if (s.lastSeenAt > latest) latest = s.lastSeenAt;
    return latest;
  }
}
