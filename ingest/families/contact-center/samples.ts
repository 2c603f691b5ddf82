/**
 * Documented Contact Center chat events, as exact body text. `legacy-agent-joined` is the
 * body of the signing example in validating-webhook-events (its CRC32 is 1564621066).
 */
export const CONTACT_CENTER_SAMPLES = {
  'chat-message': JSON.stringify({
    eventType: 'MESSAGE', conversationId: 'vXg39aMTRlq4xCBFaUCTlA', timestamp: 1741087320514,
    data: { isEcho: false, sender: { id: 'agAglVJkg0TU28dok9y9UQKg', type: 'agent' }, text: 'Your replacement ships today.', attachments: [] },
  }),
  'conversation-update': JSON.stringify({
    eventType: 'CONVERSATION_UPDATE', conversationId: 'vXg39aMTRlq4xCBFaUCTlA', timestamp: 1741087200000,
    data: {
      state: 'active', assignment: { type: 'queue', id: '212', resourceId: 'q-support' },
      user: { name: 'Ana Souza', userId: 'u-123', email: 'ana@example.com', phone: '+5511987654321' }, channel: 'webchat',
    },
  }),
  'legacy-agent-joined':
    '{"eventType":"AGENT_JOINED","messageType":"SYSTEM","conversationId":"Aka5NMHU8MtIG7lUQOxI0DTOvM4","agentId":"cmalutan","agentName":"Cosmin,Malutan","timestamp":1629804577002}',
  'web-hook-verify': '{"notificationVersion":"Chat Gateway v1.0","eventType":"WEB_HOOK_VERIFY"}',
} as const;
