/**
 * Documented Connect voice events (developer.8x8.com/connect/docs/voice), as exact body
 * text. Used by `send-test-event` and tests.
 */
export const VOICE_SAMPLES = {
  'session-summary': JSON.stringify({
    namespace: 'VOICE', eventType: 'SESSION_SUMMARY', description: 'Summary of a completed call session', version: 5,
    payload: {
      sessionId: '9f7e2c10-0a4b-11f0-9c1e-5b7d2e8a4c61', subAccountId: 'acme_voice', sessionStatus: 'COMPLETED',
      startTime: '2025-03-04T11:20:05Z', endTime: '2025-03-04T11:23:41Z', lastAction: 'MAKE_CALL', callCount: 2,
      clientRequestId: 'crm-case-55120',
      details: {
        callA: {
          callId: '9f7e2c11-0a4b-11f0-8d3a-1c2b3a4d5e6f', callDirection: 'INBOUND', callType: 'PSTN',
          initiatedTimestamp: '2025-03-04T11:20:05Z', connectedTimestamp: '2025-03-04T11:20:06Z',
          disconnectedTimestamp: '2025-03-04T11:23:41Z', source: '+6591234567', destination: '+6568001234',
          sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: 'SG', destinationCountryCode: 'SG',
          destinationRefId: 'vn-pool-sg-01', callStatus: 'COMPLETED', callDuration: 215,
          callQuality: { mos: 4.4, packetLossRate: 0.0, jitter: 12 },
        },
        callB: {
          callId: 'a3c5d7e9-0a4b-11f0-8d3a-1c2b3a4d5e6f', callDirection: 'OUTBOUND', callType: 'PSTN',
          initiatedTimestamp: '2025-03-04T11:20:20Z', connectedTimestamp: '2025-03-04T11:20:31Z',
          disconnectedTimestamp: '2025-03-04T11:23:41Z', source: '+6568001234', destination: '+6598765432',
          sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: 'SG', destinationCountryCode: 'SG',
          sourceRefId: 'vn-pool-sg-01', callStatus: 'COMPLETED', callDuration: 190,
        },
      },
    },
  }),
  'call-status': JSON.stringify({
    namespace: 'VOICE', eventType: 'CALL_STATUS', description: 'Call status update',
    payload: {
      eventId: '66d5f556-133a-11ef-9dd4-e911cc6fc82f', callId: '627e25f1-133a-11ef-b08c-e33c09483244',
      sessionId: 'a4fad4b3-b388-12ee-b217-2fb8260fcf59', subAccountId: 'acme_voice', callStatus: 'CALL_CONNECTED',
      callDirection: 'OUTBOUND', callType: 'PSTN', source: '+6568001234', destination: '+6591234567',
      sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: 'SG', destinationCountryCode: 'SG',
      callDuration: 0, sipCode: 200, timestamp: '2025-03-04T11:21:00.101Z',
    },
  }),
  'recording-status': JSON.stringify({
    namespace: 'VOICE', eventType: 'CALL_RECORDING_STATUS', description: 'Call recording status',
    payload: {
      sessionId: 'a4fad4b3-b388-12ee-b217-2fb8260fcf59', recordingId: 'rec-7f1e2d3c', durationSeconds: 214,
      filePath: 's3://acme-recordings/2025/03/04/a4fad4b3.wav', status: 'UPLOAD_COMPLETED',
    },
  }),
  'virtual-number-update': JSON.stringify({
    namespace: 'VOICE', eventType: 'VIRTUAL_NUMBER_UPDATE', description: 'Virtual number updated',
    payload: {
      subAccountId: 'acme_voice', totalNumbers: 1, updateEventType: 'UPDATES',
      virtualNumbers: [{
        msisdn: '+6568001234', updatedTimestamp: '2025-03-04T00:00:00.000Z', countryCode: 'SG', operationalStatus: 'Active',
        referenceId: 'vn-pool-sg-01', numberHealthCheckEnabled: true, updateStatus: 'UPDATED',
      }],
    },
  }),
  'call-action': JSON.stringify({
    namespace: 'VOICE', eventType: 'CALL_ACTION', description: 'Action request of a call',
    payload: {
      eventId: '77e6a667-133a-11ef-9dd4-e911cc6fc82f', callId: '627e25f1-133a-11ef-b08c-e33c09483244',
      sessionId: 'a4fad4b3-b388-12ee-b217-2fb8260fcf59', subAccountId: 'acme_voice', callStatus: 'ACTION_COMPLETED',
      callDirection: 'OUTBOUND', callType: 'PSTN', source: '+6568001234', destination: '+6591234567',
      callDuration: 0, eventData: { dtmf: '2' }, sipCode: 200, timestamp: '2025-03-04T11:21:02.217Z', clientActionId: 'ivr_main_menu',
    },
  }),
} as const;
