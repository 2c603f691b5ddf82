/**
 * The sign-in page: one field for an operator token. The token is posted once, checked, and
 * forgotten; the browser keeps only a session cookie (../sessions.ts).
 */
import { html, type Html } from '../html.js';
import { CONSOLE_PREFIX, notice, page } from '../layout.js';

const REASONS: Readonly<Record<string, string>> = {
  expired: 'Your console session ended (30 minutes idle, 12 hours in all, a revoked token, or a restart of serve). Sign in again.',
  signedout: 'You are signed out.',
};

export function loginPage(options: { next?: string | undefined; reason?: string | undefined; error?: string | undefined }): Html {
  const message = options.error !== undefined ? notice('error', options.error) : options.reason !== undefined && REASONS[options.reason] !== undefined ? notice('info', REASONS[options.reason] as string) : '';
  const body = html`<div class="login card">
  ${message}
  <form method="post" action="${CONSOLE_PREFIX}/login">
    <div class="field">
      <label for="token">Operator token</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required aria-describedby="token-hint" spellcheck="false">
      <span id="token-hint" class="hint">A token of role read or operate: the value of SWITCHBOARD_ADMIN_TOKEN, or of the admin-token file in serve's data directory (e.g. ./data/admin-token), or one from <code>switchboard admin-token create</code>. Only a session cookie is kept in this browser.</span>
    </div>
    ${options.next === undefined ? '' : html`<input type="hidden" name="next" value="${options.next}">`}
    <button type="submit">Sign in</button>
  </form>
</div>`;
  return page({ title: 'Sign in', current: null, principal: null, body });
}
