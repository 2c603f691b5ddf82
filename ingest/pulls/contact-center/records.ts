/**
 * What a Contact Center detailed-report row lands as. 8x8 answers each interaction as
 * `{total: null, items: [{key, label, value}, …]}` (../shared/reference/8x8.md §3.3); we
 * land it flattened to `{[key]: value}` so the models can read `body->>'interactionId'`
 * like any other raw body. Values are kept exactly as given: times stay ISO strings with
 * the tenant's offset (`2023-07-03T16:02:27.576+03:00`), durations stay `{value: <ms>,
 * ongoing: bool}`. Labels are display text for 8x8's UI and are dropped. Normalising is the
 * models' job, not this one.
 */
import type { PulledEvent } from '../land.js';
import { CcAnalyticsError } from './errors.js';

/** One item of a row, e.g. `{key: "queueWaitDuration", label: "Queue Wait Time", value: {value: 5320, ongoing: false}}`. */
export interface CcItem {
  key: string;
  label?: string;
  value: unknown;
}

/** One row of `GET detailed-reports/{id}/data`: one interaction (per participant). */
export interface CcRow {
  /** Always null for detailed reports. */
  total?: unknown;
  items: CcItem[];
}

export const CC_EVENT_TYPE = 'CC_INTERACTION';

/**
 * A row's items as one object, `{[key]: value}`; the last item wins if a key repeats.
 *
 * @example
 *   flattenCcRow({ total: null, items: [{ key: 'interactionId', label: 'Interaction ID', value: 'int-1' }] })
 *   // → { interactionId: 'int-1' }
 */
export function flattenCcRow(row: CcRow): Record<string, unknown> {
  if (row === null || typeof row !== 'object' || !Array.isArray(row.items)) {
    throw invalid('has no items array', row);
  }
  const flat: Record<string, unknown> = {};
  for (const item of row.items) {
    if (item === null || typeof item !== 'object' || typeof item.key !== 'string') throw invalid('has an item without a key', row);
    flat[item.key] = item.value;
  }
  return flat;
}

/** A row as a landing event: dedupe key `pull:cc:<interactionId>`, body the flattened row as JSON. */
export function ccInteractionEvent(row: CcRow): PulledEvent {
  return interactionEvent(flattenCcRow(row), row);
}

export const CC_PARTICIPANT_EVENT_TYPE = 'CC_PARTICIPANT';

/**
 * A row as landing events: the interaction (ccInteractionEvent, its body whole, `participants`
 * included), then one `CC_PARTICIPANT` event per participant row. A report created with
 * `includeParticipants: true` answers them as the `participants` item, an array of flat
 * objects (cc-historical-analytics-detailed-report.md, "includeParticipants"); a transfer
 * between two agents has two. Each lands as `pull:cc:<interactionId>:p<participantAssignNumber>`
 * ("an ordinal number for each agent assignment", glossary; the row's 1-based position when
 * 8x8 leaves it out), body the participant row plus its `interactionId`, so
 * stg_cc_participants reads them like any other raw body.
 *
 * @example
 *   ccRowEvents({ total: null, items: [{ key: 'interactionId', value: 'int-7' },
 *     { key: 'participants', value: [{ participantAssignNumber: 1, participantId: 'agA' }] }] })
 *   // → [{ dedupeKey: 'pull:cc:int-7', … }, { dedupeKey: 'pull:cc:int-7:p1', eventType: 'CC_PARTICIPANT', … }]
 */
export function ccRowEvents(row: CcRow): PulledEvent[] {
  const flat = flattenCcRow(row);
  const interaction = interactionEvent(flat, row);
  const participants = flat['participants'];
  if (!Array.isArray(participants)) return [interaction];
  const interactionId = interaction.dedupeKey.slice('pull:cc:'.length);
  return [
    interaction,
    ...participants.map((participant: unknown, index): PulledEvent => {
      if (participant === null || typeof participant !== 'object' || Array.isArray(participant)) throw invalid('has a participant that is not an object', row);
      const assign = (participant as Record<string, unknown>)['participantAssignNumber'];
      const ordinal = typeof assign === 'number' || (typeof assign === 'string' && /^\d+$/.test(assign)) ? String(assign) : String(index + 1);
      return {
        dedupeKey: `pull:cc:${interactionId}:p${ordinal}`,
        eventType: CC_PARTICIPANT_EVENT_TYPE,
        body: JSON.stringify({ interactionId, ...(participant as Record<string, unknown>) }),
      };
    }),
  ];
}

function interactionEvent(flat: Record<string, unknown>, row: CcRow): PulledEvent {
  const id = flat['interactionId'];
  // Ids are strings in 8x8's examples; a number keys the same.
  const interactionId = typeof id === 'string' ? id.trim() : typeof id === 'number' && Number.isFinite(id) ? String(id) : '';
  if (interactionId === '') throw invalid('has no interactionId', row);
  return { dedupeKey: `pull:cc:${interactionId}`, eventType: CC_EVENT_TYPE, body: JSON.stringify(flat) };
}

function invalid(what: string, row: unknown): CcAnalyticsError {
  return new CcAnalyticsError(
    'SB_PULL_CC_RECORD_INVALID',
    `A Contact Center detailed-report row ${what}, so it cannot be landed: ${JSON.stringify(row)?.slice(0, 200)}. ` +
      'Report it with this row; 8x8 documents every interaction row as {total, items:[{key,label,value}]} with an interactionId.',
  );
}
