/**
 * Where 8x8 publishes the public keys that sign Contact Center webhooks, by kid:
 * - Chat Gateway: `https://api.8x8.com/chat-gateway/v1/jwk/{kid}/public`
 *   (docs_oas/actions-events/contact_center_chat_gateway.json, GET /v1/jwk/{jwkId}/public);
 * - legacy Chat API v2: `https://api.8x8.com/vcc/{region}/chat/v2/jwk/{kid}/public`, the URL
 *   8x8's own Java, PHP and Node samples fetch (with region `us`) in
 *   docs/actions-events/docs/validating-webhook-events.md.
 * The region codes us, eu, ca, ap are those of the legacy Chat API's paths (8x8.md §3); which
 * region a tenant's legacy webhooks are signed from is not stated by the docs, hence a setting.
 */

/** A legacy Chat API region (families.contactCenter.region). */
export type ContactCenterRegion = 'us' | 'eu' | 'ca' | 'ap';

export const CHAT_GATEWAY_JWK_URL = 'https://api.8x8.com/chat-gateway/v1/jwk/{kid}/public';

/** The legacy Chat API's key URL template for `region`. */
export function legacyChatJwkUrl(region: ContactCenterRegion): string {
  return `https://api.8x8.com/vcc/${region}/chat/v2/jwk/{kid}/public`;
}

/**
 * The key URLs used when families.contactCenter.jwkUrls is not set: Chat Gateway first, then
 * the legacy Chat API in `region`.
 * @example defaultJwkUrls('eu') // [gateway, 'https://api.8x8.com/vcc/eu/chat/v2/jwk/{kid}/public']
 */
export function defaultJwkUrls(region: ContactCenterRegion): string[] {
  return [CHAT_GATEWAY_JWK_URL, legacyChatJwkUrl(region)];
}
