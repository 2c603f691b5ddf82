/**
 * The environment variable the Slack destination reads. Kept apart from index.ts so that
 * serve can check it at start without loading @slack/web-api.
 */
import type { ConfigFile } from '../../../core/config-schema.js';
import type { SecretNeed } from '../../../core/secrets.js';

/** The environment variable holding the bot token (`xoxb-…`). */
export const SLACK_TOKEN_ENV = 'SWITCHBOARD_SLACK_BOT_TOKEN';

/** @param purpose e.g. `syncs escalations_to_slack send to Slack` */
export function slackSecrets(_file: ConfigFile, purpose: string): SecretNeed[] {
  return [{ env: SLACK_TOKEN_ENV, configKey: 'destinations.slack', purpose: `${purpose}: the app's Bot User OAuth Token (xoxb-…)` }];
}
