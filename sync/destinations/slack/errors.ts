/**
 * What a failed Slack Web API call means for a sync. @slack/web-api throws four kinds of
 * error (../shared/reference/clients-and-apis.md §3.3, read in its dist/errors.js):
 *
 * - `slack_webapi_platform_error`: HTTP 200 with `{"ok":false,"error":"…"}`, the usual
 *   failure; `error` is Slack's code (https://docs.slack.dev/reference/methods/chat.postMessage#errors);
 * - `slack_webapi_rate_limited_error`: HTTP 429 with a numeric Retry-After, thrown at once
 *   because the client is built with `rejectRateLimitedCalls: true`; `retryAfter` in seconds;
 * - `slack_webapi_http_error`: any other non-200 status (5xx, a proxy's 4xx);
 * - `slack_webapi_request_error`: no response (refused, reset, the `timeout` option fired).
 *
 * A 429 without a numeric Retry-After comes out as a plain Error; anything unrecognised
 * that came from a call is treated as transient, so the engine retries it with backoff.
 */
import { ErrorCode } from '@slack/web-api';
import { PermanentDestinationError, TransientDestinationError } from '../../destination.js';
import { SLACK_TOKEN_ENV } from './secrets.js';

export { SLACK_TOKEN_ENV };

/** Stable codes of the Slack destination itself, listed in docs/errors.md › Slack. */
export type SlackDestinationErrorCode =
  /** createSlackDestination found no SWITCHBOARD_SLACK_BOT_TOKEN. */
  'SB_SYNC_SLACK_SECRET_MISSING';

/**
 * Slack `error` codes that no retry and no other record can fix: the token, the app's scopes
 * or the channel are wrong. The run stops with a PermanentDestinationError carrying the code.
 */
const STOPS_THE_RUN = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'no_permission',
  'missing_scope',
  'access_denied',
  'ekm_access_denied',
  'team_access_not_granted',
  'org_login_required',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
]);

/** Slack `error` codes (in a 200 `ok:false` body) that mean "later". */
const TRANSIENT = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** How one failed call is handled. */
export type SlackFailure =
  /** Retry later: the whole batch (thrown) or the records not done yet ('retry' outcomes). */
  | { kind: 'transient'; error: TransientDestinationError; code: string }
  /** Stop the run: thrown as is. */
  | { kind: 'permanent'; error: PermanentDestinationError }
  /** This record only: a 'rejected' outcome with Slack's code. */
  | { kind: 'rejected'; code: string; reason: string };

interface CallContext {
  /** e.g. `chat.update`. */
  method: string;
  /** The channel the call was about. */
  channel: string;
}

/**
 * @example classifySlackError(err, { method: 'chat.postMessage', channel: 'C0123' })
 *   → { kind: 'permanent', error: PermanentDestinationError('not_in_channel', 'chat.postMessage in C0123: not_in_channel. Invite the app …') }
 */
export function classifySlackError(error: unknown, call: CallContext): SlackFailure {
  const where = `${call.method} in ${call.channel}`;
  const coded = error as { code?: unknown; retryAfter?: unknown; data?: { error?: unknown; needed?: unknown }; statusCode?: unknown; headers?: Record<string, string> };
  switch (coded?.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = Number(coded.retryAfter);
      const retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
      return transient('ratelimited', `${where}: rate limited by Slack (HTTP 429, Retry-After ${String(coded.retryAfter)} s).`, retryAfterMs, error);
    }
    case ErrorCode.PlatformError: {
      const code = typeof coded.data?.error === 'string' ? coded.data.error : 'unknown_error';
      if (TRANSIENT.has(code)) return transient(code, `${where}: ${code} (Slack asks to try again later).`, undefined, error);
      if (STOPS_THE_RUN.has(code)) {
        return { kind: 'permanent', error: new PermanentDestinationError(code, `${where}: ${code}. ${hint(code, call.channel, coded.data?.needed)}`, { cause: error }) };
      }
      return { kind: 'rejected', code, reason: `${where}: ${code}${REJECTION_HINTS[code] === undefined ? '' : `. ${REJECTION_HINTS[code]}`}` };
    }
    case ErrorCode.HTTPError: {
      const status = Number(coded.statusCode);
      if (status >= 500 || status === 408 || status === 425) {
        return transient(`http_${status}`, `${where}: HTTP ${status} from Slack.`, retryAfterHeader(coded.headers), error);
      }
      return {
        kind: 'permanent',
        error: new PermanentDestinationError(
          `http_${status}`,
          `${where}: HTTP ${status}. Slack answers 200 or 429 only, so something else answered: check destinations.slack.apiUrl (default https://slack.com/api/) and any proxy.`,
          { cause: error },
        ),
      };
    }
    case ErrorCode.RequestError:
      return transient('request_error', `${where}: no answer from Slack (${(error as Error).message}).`, undefined, error);
    default:
      return transient('unknown_error', `${where}: ${error instanceof Error ? error.message : String(error)}`, undefined, error);
  }
}

function transient(code: string, message: string, retryAfterMs: number | undefined, cause: unknown): SlackFailure {
  return { kind: 'transient', code, error: new TransientDestinationError(message, retryAfterMs, { cause }) };
}

function retryAfterHeader(headers: Record<string, string> | undefined): number | undefined {
  const seconds = Number.parseInt(headers?.['retry-after'] ?? '', 10);
  return Number.isNaN(seconds) ? undefined : seconds * 1000;
}

/** How to fix what stops a run, per Slack code. */
function hint(code: string, channel: string, needed: unknown): string {
  switch (code) {
    case 'not_authed':
    case 'invalid_auth':
    case 'account_inactive':
    case 'token_revoked':
    case 'token_expired':
    case 'not_allowed_token_type':
      return `Slack refused the token: set ${SLACK_TOKEN_ENV} to the app's Bot User OAuth Token (xoxb-…), from its OAuth & Permissions page.`;
    case 'missing_scope':
      return `The app lacks a scope${typeof needed === 'string' ? ` (${needed})` : ''}: it needs chat:write, and channels:history (groups:history for a private channel) to find its own messages again. Add it, reinstall the app, update ${SLACK_TOKEN_ENV}.`;
    case 'channel_not_found':
      return `Slack knows no channel ${channel} for this token: the sync's object must be a channel ID (C0123ABCD, at the bottom of the channel's details), not its name; for a private channel, invite the app first.`;
    case 'not_in_channel':
      return `Invite the app to ${channel} (/invite @your-app in the channel).`;
    case 'is_archived':
      return `${channel} is archived: unarchive it or point the sync's object at another channel.`;
    default:
      return `Slack does not let this app post in ${channel}: check the channel's posting permissions and the app's scopes.`;
  }
}

/** What an operator can do about a rejected record, for the codes a mapping can cause. */
const REJECTION_HINTS: Readonly<Record<string, string>> = {
  no_text: 'Map a non-empty `text` field (or `blocks`).',
  msg_too_long: 'The text is over 40,000 characters; shorten the model column.',
  invalid_blocks: 'The `blocks` field is not valid Block Kit JSON (an array of blocks); check it in the Block Kit Builder.',
  invalid_blocks_format: 'The `blocks` field must be a JSON array of blocks.',
  message_not_found: 'The alert was deleted in Slack: it is neither edited nor posted again (someone removed it on purpose).',
  cant_update_message: 'The message was not posted by this app, so it cannot be edited.',
  edit_window_closed: 'The workspace no longer allows this message to be edited.',
  cant_delete_message: 'The message was not posted by this app, so it cannot be deleted.',
  invalid_metadata_format: 'A bug: report it.',
  invalid_metadata_schema: 'A bug: report it.',
  metadata_too_large: 'The sync name and key are too long for Slack message metadata; shorten them.',
};
