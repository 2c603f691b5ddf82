/**
 * How the fake CC Historical Analytics renders an interaction as a detailed-report row:
 * items `{key, label, value}`, instants in the tenant's offset, and the participant fields.
 * "The detailed-report page" is `docs/analytics/docs/cc-historical-analytics-detailed-report.md`
 * in 8x8Cloud/public-developer-docs (snapshot 859e59a3).
 */
import { DateTime } from 'luxon';

/** An interaction as a flat object (`{interactionId, creationTime, …}`); the fake turns it into items. */
export type CcInteraction = Record<string, unknown>;

/** Keys whose values are instants, rendered with the tenant's offset. */
const TIME_KEYS = new Set([
  'creationTime', 'finishedTime', 'time', 'queueTime',
  'participantOfferTime', 'participantOfferActionTime', 'participantHandlingEndTime', 'participantWrapUpEndTime', 'participantAssignTime',
]);
/**
 * The fields a participant row carries (the detailed-report page, "includeParticipants", plus
 * `participantAssignReason`/`participantAssignTime`/`participantHandlingOutcome`, which the
 * glossary calls per participant row). The interaction row repeats `participantId`,
 * `participantName`, `participantType` and `participantOfferAction` as ARRAYS (the page's
 * second sample: `"participantId": ["agsN41dY9PQtyhLSd9_xqQeg"]`, `"participantOfferAction":
 * ["Accepted", "OfferTimeout"]`). Whether those arrays hold each participant row's value or
 * only the distinct values is not documented (the sample has two rows of one agent and one
 * id): the fake lists distinct values in assign order.
 */
const PARTICIPANT_ARRAY_KEYS = ['participantId', 'participantName', 'participantType', 'participantOfferAction'] as const;
const LABELS: Record<string, string> = {
  interactionId: 'Interaction ID',
  creationTime: 'Creation Time',
  finishedTime: 'Finished Time',
  queueWaitDuration: 'Queue Wait Time',
  interactionDuration: 'Interaction Duration',
  mediaType: 'Media Type',
};

/**
 * A flat interaction as 8x8 answers it: items with labels, instants in the tenant's offset.
 * An interaction may hold `participants` (participant rows, flat objects). The row then
 * carries the interaction-level `participant*` fields as arrays (see PARTICIPANT_ARRAY_KEYS),
 * and, only when the report asked for `includeParticipants`, a `participants` item whose
 * value is the participant rows (detailed-report page, "includeParticipants": "the report
 * response return also the `participants` field", sample `{"key": "participants", "value":
 * [{"participantAssignNumber": 1, …}, {"participantAssignNumber": 2, …}]}`). A row without
 * participants gets `"participants": []`, as in the page's second sample row.
 */
export function toRow(interaction: CcInteraction, zone: string, includeParticipants: boolean): { total: null; items: { key: string; label: string; value: unknown }[] } {
  const { participants, ...fields } = interaction;
  const rows = Array.isArray(participants) ? (participants as Record<string, unknown>[]) : undefined;
  const flat: Record<string, unknown> = { ...fields };
  if (rows !== undefined) {
    for (const key of PARTICIPANT_ARRAY_KEYS) {
      if (!(key in flat)) flat[key] = [...new Set(rows.map((row) => row[key]).filter((v) => v !== undefined && v !== null && v !== ''))];
    }
  }
  const items = Object.entries(flat).map(([key, value]) => ({ key, label: LABELS[key] ?? key, value: TIME_KEYS.has(key) ? renderTime(value, zone) : value }));
  if (includeParticipants) {
    const value = (rows ?? []).map((row) => Object.fromEntries(Object.entries(row).map(([key, v]) => [key, TIME_KEYS.has(key) ? renderTime(v, zone) : v])));
    items.unshift({ key: 'participants', label: 'Participants', value });
  }
  return { total: null, items };
}

/**
 * One interaction as the data endpoint would answer it (the same rendering as the fake's
 * pages), for tests that land rows without running a pull.
 */
export function ccReportRow(interaction: CcInteraction, options: { tenantOffset?: string; includeParticipants?: boolean } = {}): ReturnType<typeof toRow> {
  return toRow(interaction, `UTC${options.tenantOffset ?? '+03:00'}`, options.includeParticipants ?? true);
}

/** `creationTime` is an ISO string; `finishedTime` an object `{value: ISO, ongoing}`. */
function renderTime(value: unknown, zone: string): unknown {
  if (typeof value === 'string') {
    const at = DateTime.fromISO(value, { setZone: true });
    return at.isValid ? at.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ") : value;
  }
  if (value !== null && typeof value === 'object' && 'value' in value) return { ...value, value: renderTime((value as { value: unknown }).value, zone) };
  return value;
}

export function instant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const at = DateTime.fromISO(value);
  return at.isValid ? at.toMillis() : null;
}
