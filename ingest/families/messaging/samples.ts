/**
 * Documented Connect messaging events (shapes from developer.8x8.com/connect, values
 * realistic), as the exact body text 8x8 would send. Used by `send-test-event` and tests.
 */
export const MESSAGING_SAMPLES = {
  'sms-inbound': JSON.stringify({
    namespace: 'SMS', eventType: 'inbound_message_received', description: 'SMS inbound message',
    payload: {
      umid: '3f1c2a9e-5b7d-4e8a-9c21-0d6e4b8f7a10', subAccountId: 'acme_sms_prod', timestamp: '2025-03-04T09:15:27.412Z',
      source: '+6591234567', destination: '+6568001234', body: 'STOP', encoding: 'GSM7', smsCount: 1,
      price: { total: 0.0061, perSms: 0.0061, currency: 'USD' },
    },
  }),
  'sms-receipt': JSON.stringify({
    namespace: 'SMS', eventType: 'outbound_message_status_changed', description: 'SMS outbound message delivery receipt',
    payload: {
      umid: '0b7f6e0c-93a4-4c61-8f0e-2b8f5d1e9c33', batchId: '6a0e8d2b-7c1f-4b9e-a3d5-1f2e3d4c5b6a',
      clientMessageId: 'order-88412-otp', clientBatchId: 'campaign-2025-03-04', subAccountId: 'acme_sms_prod',
      source: 'ACME', destination: '+447700900123',
      status: { state: 'delivered', detail: 'delivered_to_recipient', timestamp: '2025-03-04T09:16:02.37Z' },
      price: { total: 0.0342, perSms: 0.0342, currency: 'EUR' }, smsCount: 1,
    },
  }),
  'chatapps-inbound-v3': JSON.stringify({
    version: 3, namespace: 'ChatApps', eventType: 'inbound_message_received', description: 'ChatApps inbound message',
    payload: {
      umid: 'c8a1e0d4-2f3b-4a5c-9d6e-7f8091a2b3c4', subAccountId: 'acme_wa_prod', timestamp: '2025-03-04T10:02:11.00Z',
      user: { msisdn: '+5511987654321', channelUserId: 'BR.48213377019284431', name: 'Ana Souza' },
      recipient: { channel: 'whatsapp', channelId: '8e4d1303-5754-e911-8154-020897df5459' },
      type: 'Text', content: { text: 'Where is my order?' },
    },
  }),
  'chatapps-inbound-v2': JSON.stringify({
    namespace: 'ChatApps', eventType: 'inbound_message_received', description: 'ChatApps inbound message',
    payload: {
      umid: 'd9b2f1e5-3a4c-4b6d-8e7f-8091a2b3c4d5', subAccountId: 'acme_wa_prod', timestamp: '2025-03-04T10:03:12.6030893Z',
      user: { msisdn: '+5511987654321', channelUserId: '5511987654321', name: 'Ana Souza' },
      recipient: { channel: 'whatsapp', channelId: '8e4d1303-5754-e911-8154-020897df5459' },
      type: 'Text', content: { text: 'Hello?' },
    },
  }),
  'chatapps-receipt-v9': JSON.stringify({
    version: 9, namespace: 'ChatApps', eventType: 'outbound_message_status_changed',
    description: 'ChatApps outbound message delivery receipt',
    payload: {
      umid: '5d2c9b7a-1e3f-4a6b-8c9d-0e1f2a3b4c5d', clientMessageId: 'ticket-1192-reply', subAccountId: 'acme_wa_prod',
      channel: 'whatsapp', user: { msisdn: '+5511987654321', channelUserId: 'BR.48213377019284431' },
      status: { state: 'read', timestamp: '2025-03-04T10:05:40.18Z' }, whatsapp: { pricingCategory: 'service' },
    },
  }),
  'chatapps-receipt-v8': JSON.stringify({
    namespace: 'ChatApps', eventType: 'outbound_message_status_changed',
    description: 'ChatApps outbound message delivery receipt',
    payload: {
      umid: '5d2c9b7a-1e3f-4a6b-8c9d-0e1f2a3b4c5d', subAccountId: 'acme_wa_prod', channel: 'whatsapp',
      user: { msisdn: '+5511987654321' },
      status: { state: 'delivered', detail: 'delivered_to_recipient', timestamp: '2025-03-04T10:04:58.90Z' },
    },
  }),
  'external-app-message': JSON.stringify({
    version: 9, namespace: 'ChatApps', eventType: 'external_app_message', description: 'Message sent from the WhatsApp Business App',
    payload: {
      umid: 'e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7', subAccountId: 'acme_wa_prod', channel: 'whatsapp',
      user: { msisdn: '+5511987654321' }, timestamp: '2025-03-04T10:06:00.00Z', type: 'Text', content: { text: 'On its way!' },
    },
  }),
  'short-url-clicked': JSON.stringify({
    namespace: 'SMS', eventType: 'short_url_clicked', description: 'Short URL clicked',
    payload: {
      eventId: '4b3a2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0', occurredAt: '2025-03-04T09:20:00.123Z',
      umid: '0b7f6e0c-93a4-4c61-8f0e-2b8f5d1e9c33', destination: '+447700900123',
      shortUrl: 'https://8x8.ly/abc123', targetUrl: 'https://acme.example/orders/88412',
    },
  }),
  'whatsapp-template-status': JSON.stringify({
    eventId: '7c6b5a49-3827-4160-95f4-e3d2c1b0a998', timestamp: '2025-03-04T11:00:00Z', provider: 'WhatsApp',
    businessAccountId: '102290129340398', accountId: 'acme', eventType: 'template_status_update',
    eventDetails: { templateName: 'order_update', language: 'en_US', status: 'APPROVED' },
  }),
} as const;

/**
 * The XML rendering of an SMS delivery receipt, as 8x8 documents it beside the JSON one
 * (docs/connect/docs/delivery-receipts-for-outbound-sms.md in 8x8Cloud/public-developer-docs),
 * with its indentation and XML declaration. Sent as text/xml; kept apart from
 * MESSAGING_SAMPLES because how an account is switched to XML is not documented.
 */
export const SMS_RECEIPT_XML = `<?xml version="1.0" encoding="UTF-8" ?>
<root>
  <namespace>SMS</namespace>
  <eventType>outbound_message_status_changed</eventType>
  <description>SMS outbound message delivery receipt</description>
  <payload>
    <umid>9e09ac86-bd74-5465-851d-1eb5a5fdbb9a</umid>
    <batchId>3e09ac86-bd74-5465-851d-1eb5a5fdbb9b</batchId>
    <clientMessageId>1e09ac86-bd74-5465-851d-1eb5a5fdbb9b</clientMessageId>
    <clientBatchId>2e09ac86-bd74-5465-851d-1eb5a5fdbb9b</clientBatchId>
    <subAccountId>SubAccount-1</subAccountId>
    <source>8x8</source>
    <destination>+12025550293</destination>
    <status>
      <state>undelivered</state>
      <detail>rejected_by_operator</detail>
      <timestamp>2016-01-01T00:00:00Z</timestamp>
      <errorCode>15</errorCode>
      <errorMessage>Invalid destination</errorMessage>
    </status>
    <price>
      <total>0.0375</total>
      <perSms>0.0125</perSms>
      <currency>USD</currency>
    </price>
    <smsCount>3</smsCount>
  </payload>
</root>
`;
