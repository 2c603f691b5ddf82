/**
 * Seeded interactions for the fake CC Historical Analytics, in the shapes the detailed-report
 * page (`docs/analytics/docs/cc-historical-analytics-detailed-report.md` in
 * 8x8Cloud/public-developer-docs, snapshot 859e59a3) documents.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { CcInteraction } from './rows.js';

export interface SeedOptions {
  count: number;
  /** The first interaction's creation. */
  start: Date;
  /** Time between creations. Default 10 minutes. */
  spacingMs?: number;
  /** The tenant offset the seeded times carry, e.g. `+03:00` (the default). */
  tenantOffset?: string;
}

const MEDIA = ['Phone', 'Chat', 'Email', 'VoiceMail'] as const;
/** Documented `outcome` values (detailed-report page, glossary `outcome` = the `interactionLabels` enumeration). */
const OUTCOMES = ['Handled', 'Abandoned', 'Handled', 'ForwardedToVoicemail'] as const;
const AGENTS = [
  { id: 'ag1Xk2mP3qR4sT5uV6wY7z', name: 'Priya Patel' },
  { id: 'ag9Lm8Nb7Vc6Xz5As4Df3g', name: 'John Doe' },
];

/**
 * Realistic interactions in the documented shapes (detailed-report page, glossary and
 * samples): mixed media and directions, phone numbers without `+`, times with the tenant's
 * offset, durations as `{value: ms, ongoing}`, `interactionLabels` an ARRAY of label names
 * (sample: `["Queued", "Handled"]`), `recordingFileNames` a comma-separated STRING ("Multiple
 * recordings are comma-separated"), and one participant row for the agent who handled it
 * (none when nobody answered). Durations add up as the glossary defines them:
 * `interactionDuration` = `ivrTreatmentDuration` + `queueWaitDuration` + handling; wrap-up
 * is separate and not in it.
 */
export function seedCcInteractions(options: SeedOptions): CcInteraction[] {
  const spacing = options.spacingMs ?? 10 * 60_000;
  const zone = `UTC${options.tenantOffset ?? '+03:00'}`;
  const iso = (ms: number): string => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");
  const rows: CcInteraction[] = [];
  for (let i = 0; i < options.count; i++) {
    const created = options.start.getTime() + i * spacing + (i % 7) * 1_013;
    const media = MEDIA[i % MEDIA.length] as (typeof MEDIA)[number];
    const outcome = OUTCOMES[i % OUTCOMES.length] as (typeof OUTCOMES)[number];
    const inbound = i % 5 !== 4;
    const ivr = 4_000 + (i % 3) * 1_250;
    const wait = 2_000 + (i % 6) * 3_517;
    const handling = outcome === 'Handled' ? 45_000 + (i % 9) * 21_773 : 0;
    const wrapUp = outcome === 'Handled' ? 8_000 : 0;
    const duration = ivr + wait + handling;
    const agent = AGENTS[i % AGENTS.length] as (typeof AGENTS)[number];
    const customer = `1669333${String(5000 + i).slice(-4)}`;
    const accepted = created + ivr + wait;
    const participants =
      outcome === 'Handled'
        ? [
            {
              participantAssignNumber: 1,
              participantAssignReason: 'Offered',
              participantType: 'Agent',
              participantId: agent.id,
              participantName: agent.name,
              participantOfferTime: iso(accepted - 3_000),
              participantOfferAction: 'Accepted',
              participantOfferActionTime: iso(accepted),
              participantOfferDuration: { value: 3_000, ongoing: false },
              participantHandlingEndTime: iso(accepted + handling),
              participantHandlingDuration: { value: handling, ongoing: false },
              participantWrapUpEndTime: iso(accepted + handling + wrapUp),
              participantWrapUpDuration: { value: wrapUp, ongoing: false },
              participantHandlingOutcome: 'WrapUp',
            },
          ]
        : [];
    rows.push({
      interactionId: `int-${(created % 1e10).toString(36)}-${i}`,
      journeyId: `jrn-${randomBytes(6).toString('hex')}`,
      transactionId: String(880_000 + i),
      mediaType: media,
      direction: inbound ? 'InboundDir' : 'OutboundDir',
      origination: inbound ? customer : '18005550199',
      destination: inbound ? '16693335195' : customer,
      customerPhone: media === 'Phone' || media === 'VoiceMail' ? customer : '',
      creationTime: iso(created),
      finishedTime: { value: iso(created + duration + wrapUp), ongoing: false },
      queueName: i % 3 === 0 ? 'Billing' : 'Support EN',
      queueTime: iso(created + ivr),
      ivrTreatmentDuration: { value: ivr, ongoing: false },
      queueWaitDuration: { value: wait, ongoing: false },
      interactionDuration: { value: duration, ongoing: false },
      outcome,
      interactionLabels: ['Queued', outcome],
      recordingFileNames: media === 'Phone' && outcome === 'Handled' ? `rec-${880_000 + i}-1.wav,rec-${880_000 + i}-2.wav` : '',
      participants,
    });
  }
  return rows;
}
