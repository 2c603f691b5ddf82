/**
 * Authenticating the real @google-cloud/bigquery against the fake, with no internet, from a file
 * a child process can be pointed at (`keyFilename`).
 *
 * Why not a service-account key: google-auth-library 10 (what @google-cloud/bigquery 8 uses)
 * ignores a key file's `token_uri` and always posts the signed JWT to
 * `https://oauth2.googleapis.com/token` (node_modules/google-auth-library/build/src/gtoken/getToken.js,
 * GOOGLE_TOKEN_URL). A credential type whose token endpoint the file *does* name is the Workforce
 * Identity Federation user credential, `"type": "external_account_authorized_user"` with
 * `token_url` (google-auth-library's ExternalAccountAuthorizedUserClient; file format:
 * https://cloud.google.com/java/docs/reference/google-auth-library/latest/com.google.auth.oauth2.ExternalAccountAuthorizedUserCredentials,
 * the file `gcloud auth application-default login --login-config` writes). The library refreshes
 * its access token there: `POST token_url` with the form `grant_type=refresh_token&refresh_token=…`
 * and HTTP Basic client authentication (client_id:client_secret), and expects an OAuth 2.0 token
 * response `{ access_token, expires_in, token_type: 'Bearer' }` (RFC 6749 §5.1; Google STS
 * token response, https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token). It then
 * sends `Authorization: Bearer <access_token>` on every BigQuery call.
 *
 * The recipe (what a Switchboard config file holds for a test):
 *   const file = await writeFakeCredentials(dir, fake);      // dir: a temp dir the test removes
 *   new BigQuery({ projectId: fake.projectId, apiEndpoint: fake.url, keyFilename: file });
 * `apiEndpoint` makes the library call `${apiEndpoint}/bigquery/v2/...`
 * (node_modules/@google-cloud/bigquery/build/src/bigquery.js, constructor: baseUrl).
 * Errors of the token endpoint follow RFC 6749 §5.2: 400 `invalid_grant` for an unknown refresh
 * token, 401 `invalid_client` for wrong client credentials.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the token endpoint accepts; the fake creates one per server. */
export interface FakeOAuthClient {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export function newOAuthClient(): FakeOAuthClient {
  return {
    clientId: `fake-client-${randomBytes(6).toString('hex')}`,
    clientSecret: randomBytes(16).toString('hex'),
    refreshToken: `fake-refresh-${randomBytes(16).toString('hex')}`,
  };
}

/** The credential file's JSON for a fake at `url` (token endpoint `${url}/token`). */
export function fakeCredentials(fake: { url: string; oauth: FakeOAuthClient }): Record<string, string> {
  return {
    type: 'external_account_authorized_user',
    audience: '//iam.googleapis.com/locations/global/workforcePools/switchboard-tests/providers/fake',
    client_id: fake.oauth.clientId,
    client_secret: fake.oauth.clientSecret,
    refresh_token: fake.oauth.refreshToken,
    token_url: `${fake.url}/token`,
    token_info_url: `${fake.url}/token/introspect`,
  };
}

/** Writes the credential file into `dir` (the caller owns and removes `dir`); returns its path, for `keyFilename`. */
export async function writeFakeCredentials(dir: string, fake: { url: string; oauth: FakeOAuthClient }): Promise<string> {
  const path = join(dir, 'bigquery-fake-credentials.json');
  await writeFile(path, `${JSON.stringify(fakeCredentials(fake), null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** Answers `POST /token`; returns the issued access token, or undefined when refused. */
export function tokenResponse(
  oauth: FakeOAuthClient,
  authorization: string | undefined,
  form: URLSearchParams,
): { status: number; body: Record<string, unknown>; accessToken?: string } {
  const basic = authorization?.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString('utf8') : undefined;
  const [clientId, clientSecret] = basic === undefined ? [form.get('client_id'), form.get('client_secret')] : [basic.slice(0, basic.indexOf(':')), basic.slice(basic.indexOf(':') + 1)];
  if (clientId !== oauth.clientId || clientSecret !== oauth.clientSecret) {
    return { status: 401, body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' } };
  }
  if (form.get('grant_type') !== 'refresh_token') {
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${form.get('grant_type')}` } };
  }
  if (form.get('refresh_token') !== oauth.refreshToken) {
    return { status: 400, body: { error: 'invalid_grant', error_description: 'Bad Request' } };
  }
  const accessToken = `ya29.fake-${randomBytes(18).toString('base64url')}`;
  return { status: 200, accessToken, body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' } };
}
