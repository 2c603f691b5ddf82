/**
 * Connect voice: session summaries (VSS), call status (VCS), recording status (VRU) and
 * number updates (VNU). https://developer.8x8.com/connect/docs/voice/webhook-guides/webhooks-overview
 *
 * No signature exists. 8x8 sends the registered `httpAuthHeader` value; the header's name is
 * not documented (Authorization is the likely one), so it is configurable.
 */
import { IngestError } from '../../errors.js';
import { SecretSet } from '../../auth/constant-time.js';
import { secretScanner } from '../../auth/secret-scan.js';
import { bodyDigestKey } from '../dedupe.js';
import { firstEventTime } from '../event-time.js';
import { FAMILY_ROUTES, FAMILY_TABLES, header, obj, str, type Classification, type Delivery, type SourceFamily } from '../family.js';

export type VoiceAuth = { mode: 'header'; header: string; value: string } | { mode: 'none' };

export function voiceFamily(auth: VoiceAuth): SourceFamily {
  const expected = new SecretSet(auth.mode === 'header' ? [auth.value] : []);
  return {
    name: 'voice',
    route: FAMILY_ROUTES.voice,
    table: FAMILY_TABLES.voice,
    keptHeaders: ['content-type', 'user-agent'],
    // The configured name (families.voice.auth.header), whatever it is: e.g. x-voice-token.
    credentialHeaders: auth.mode === 'header' ? [auth.header] : [],
    digestedHeaders: [],
    holdsSecret: secretScanner(auth.mode === 'header' ? [auth.value] : []),
    async verify(delivery) {
      if (auth.mode === 'none') return 'ip-allowlist';
      const presented = header(delivery.headers, auth.header);
      if (presented === undefined) {
        throw new IngestError(
          'SB_INGEST_AUTH_MISSING',
          `No ${auth.header} header. Register the voice webhooks with httpAuthHeader set to the value of SWITCHBOARD_VOICE_AUTH_HEADER, or set families.voice.auth.header to the header 8x8 sends.`,
          { configKey: 'families.voice.auth.header' },
        );
      }
      if (expected.matches(presented)) return 'auth-header';
      throw new IngestError(
        'SB_INGEST_AUTH_INVALID',
        `The ${auth.header} header does not match SWITCHBOARD_VOICE_AUTH_HEADER. Make the webhook's httpAuthHeader and that variable the same value.`,
        { configKey: 'families.voice.auth' },
      );
    },
    classify: classifyVoice,
    eventTime: voiceEventTime,
  };
}

/**
 * A CALL_STATUS's `timestamp`, a SESSION_SUMMARY's `endTime` (it is sent when the session
 * ends). Recording and virtual-number events carry no time of their own.
 */
export function voiceEventTime(event: Record<string, unknown>): number | undefined {
  const payload = obj(event.payload);
  return firstEventTime(payload.timestamp, payload.endTime);
}

/**
 * Dedupe keys: VSS by `sessionId` (sent once per session, no event id); VCS by `eventId`;
 * VRU by recording and status; VNU has no id, so by body digest.
 */
export function classifyVoice(event: Record<string, unknown>, delivery: Delivery): Classification {
  const eventType = str(event.eventType) ?? 'unknown';
  const payload = obj(event.payload);
  if (eventType === 'CALL_ACTION') {
    // A VCA expects a callflow in the 200 body, synchronously, during a live call
    // (https://developer.8x8.com/connect/docs/voice/webhook-guides/voice-call-action-webhook-guide).
    throw new IngestError(
      'SB_INGEST_VOICE_CALL_ACTION',
      'This is a CALL_ACTION (VCA) webhook: 8x8 needs a callflow in the response, which a landing endpoint cannot give. ' +
        'Register the VCA webhook on the application that builds your callflows, and register only VSS, VCS, VRU and VNU here.',
    );
  }
  const key = (() => {
    const sessionId = str(payload.sessionId);
    const eventId = str(payload.eventId);
    if (eventType === 'SESSION_SUMMARY' && sessionId !== undefined) return `SESSION_SUMMARY:${sessionId}`;
    if (eventId !== undefined) return `${eventType}:${eventId}`;
    if (eventType === 'CALL_RECORDING_STATUS' && (str(payload.recordingId) ?? sessionId) !== undefined) {
      return `CALL_RECORDING_STATUS:${str(payload.recordingId) ?? sessionId}:${str(payload.status) ?? ''}`;
    }
    return bodyDigestKey(delivery.body);
  })();
  return { eventType, dedupeKey: key };
}
