/**
 * Documented JaaS events, as exact body text. `participant-joined` is the signing example of
 * webhooks-signatures: with secret whsec_9635df66714a4cf088ee9d0979dd3bf6 and t=1632490060
 * its v1 is xlzqEojlh4qb21sQpXYsWgyK8x9HVpz+RQldsv18rV0=.
 */
export const MEETINGS_SAMPLES = {
  'participant-joined':
    '{"eventType":"PARTICIPANT_JOINED","sessionId":"9a441d60-ceaf-4eba-b0a8-a7d940a76e1b","timestamp":1632490058278,"fqn":"vpaas-magic-cookie-96f0941768964ab380ed0fbada7a502f/sampleappromanticshiftsstripas","idempotencyKey":"9e9e7420-562d-4659-8e22-44b9b22aaa49","customerId":"96f0941768964ab380ed0fbada7a502f","appId":"vpaas-magic-cookie-96f0941768964ab380ed0fbada7a502f","data":{"avatar":"","name":"Test User","id":"auth0|5f903d7a77f3b4006eb8e67d","participantJid":"fc1ea14a-9bca-4218-a563-8c627e803d56@8x8.vc","moderator":true,"email":"test.user@company.com"}}',
  'recording-uploaded': JSON.stringify({
    idempotencyKey: '2b7c1e4a-9d3f-4b6e-8a21-5c0d9e7f3a14', customerId: 'c2824d584eac4489a1e32e4e164d5a3c',
    appId: 'vpaas-magic-cookie-c2824d584eac4489a1e32e4e164d5a3c', eventType: 'RECORDING_UPLOADED',
    sessionId: '7d0f3b2e-1a4c-4e8b-9f6d-2c5a8e1b7d90', timestamp: 1741091405512,
    fqn: 'vpaas-magic-cookie-c2824d584eac4489a1e32e4e164d5a3c/weekly-standup',
    data: {
      participants: [{ name: 'Jane Doe', avatar: '', id: 'auth0|65f0a1b2c3' }],
      preAuthenticatedLink: 'https://objectstorage.us-phoenix-1.oraclecloud.com/p/x/weekly-standup_2025-03-04-12-01-07.mp4',
      share: true, initiatorId: 'auth0|65f0a1b2c3', durationSec: 1824, startTimestamp: 1741089560000,
      endTimestamp: 1741091384000, recordingSessionId: 'rec-4f2a9c',
    },
  }),
  'dial-in-started': JSON.stringify({
    idempotencyKey: '5e0a9b8c-7d6e-4f3a-b2c1-d0e9f8a7b6c5', customerId: 'c2824d584eac4489a1e32e4e164d5a3c',
    appId: 'vpaas-magic-cookie-c2824d584eac4489a1e32e4e164d5a3c', eventType: 'DIAL_IN_STARTED',
    sessionId: '7d0f3b2e-1a4c-4e8b-9f6d-2c5a8e1b7d90', timestamp: 1741089600000,
    fqn: 'vpaas-magic-cookie-c2824d584eac4489a1e32e4e164d5a3c/weekly-standup',
    data: { direction: 'in', nick: '40364630871 (+40364630871)', participantJid: 'dial-1@8x8.vc', participantId: 'p-dial-1' },
  }),
} as const;
