/**
 * The Slack destination: one alert message per record, in the sync's channel (its `object`,
 * a channel ID). A record is one call, sent in order:
 *
 * | action          | externalRef (`channel:ts`)        | call                                              |
 * |-----------------|-----------------------------------|---------------------------------------------------|
 * | create / update | known                             | chat.update of that message: never a second post  |
 * | create / update | null, but an alert for the key is | chat.update of the alert found (crash replay)     |
 * |                 | in the channel's recent history   |                                                   |
 * | create / update | null, nothing found               | chat.postMessage, with metadata {sync, key}       |
 * | delete (mirror) | known or found                    | chat.delete; message_not_found counts as sent     |
 * | delete          | null, nothing found               | none: sent                                        |
 *
 * Pacing (the destination keeps the last call times, per instance): chat.postMessage at most
 * one per `postIntervalMs` per channel, as Slack allows "1 message per second per channel"
 * (https://docs.slack.dev/reference/methods/chat.postMessage, Rate limiting); and
 * conversations.history at most one per `historyIntervalMs` (1 a minute for apps outside the
 * Marketplace, https://api.slack.com/changelog/2025-05-terms-rate-limit-update-and-faq).
 * Waits go through `clock`, so tests run on a virtual one; the run's signal cuts them short.
 *
 * Failures: a record Slack refuses is 'rejected' with Slack's code; a bad token or channel
 * stops the run (PermanentDestinationError); a 429, 5xx or timeout before anything was sent
 * throws TransientDestinationError (with Retry-After), after that the records not done get
 * 'retry' outcomes. The run's AbortSignal is checked between calls and cuts a call short.
 */
import type { ChatPostMessageArguments, ChatUpdateArguments, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { abortable, abortableSleep } from '../../../core/abortable-sleep.js';
import { PermanentDestinationError, type ChangeRecord, type Destination, type RecordOutcome, type SendContext } from '../../destination.js';
import { classifySlackError } from './errors.js';
import { findAlerts } from './lookup.js';
import { alertMetadata, formatRef, messageContent, parseRef, type SlackMessageRef } from './message.js';

export interface SlackDestinationOptions {
  client: WebClient;
  /** Records per send(); each is one call. */
  batchSize: number;
  /** How far back conversations.history looks for an alert posted before a crash, in seconds. */
  lookupWindowSeconds: number;
  /** Most conversations.history pages read per batch for that. */
  lookupMaxPages: number;
  /** Messages per conversations.history page (`limit`): 15 at most outside the Marketplace. */
  historyPageSize: number;
  /** Least time between two conversations.history calls, ms (60 000: 1 a minute). */
  historyIntervalMs: number;
  /** Least time between two chat.postMessage calls to one channel, ms (1000: Slack's 1 a second). */
  postIntervalMs: number;
  /** Time for the pacing; default the real one. */
  clock?: SlackClock;
  logger?: Logger;
}

/** What the pacing waits with. */
export interface SlackClock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const REAL_CLOCK: SlackClock = {
  now: () => Date.now(),
  sleep: abortableSleep,
};

export class SlackDestination implements Destination {
  readonly type = 'slack';
  readonly batchSize: number;
  private readonly clock: SlackClock;
  /** When chat.postMessage was last called, per channel; when conversations.history was. */
  private readonly lastPost = new Map<string, number>();
  private lastHistory: number | undefined;

  constructor(private readonly options: SlackDestinationOptions) {
    this.batchSize = options.batchSize;
    this.clock = options.clock ?? REAL_CLOCK;
  }

  /** Waits until `last + interval`, then records now as the last call. */
  private async pace(last: number | undefined, intervalMs: number, signal: AbortSignal): Promise<number> {
    const wait = last === undefined ? 0 : last + intervalMs - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, signal);
    signal.throwIfAborted();
    return this.clock.now();
  }

  async send(records: readonly ChangeRecord[], context: SendContext): Promise<RecordOutcome[]> {
    const { signal } = context;
    signal.throwIfAborted();
    const call = <T>(request: () => Promise<T>): Promise<T> => abortable(request(), signal);
    const failure = (error: unknown, method: string, channel: string) => {
      // An abort is the run stopping, not Slack failing: let it through as is.
      if (signal.aborted) throw signal.reason;
      return classifySlackError(error, { method, channel });
    };

    // Records without a usable externalRef may have been posted before a crash: find them
    // first, in one bounded scan for the whole batch.
    const unknown = new Set(records.filter((r) => parseRef(r.externalRef) === null).map((r) => r.key));
    let found = new Map<string, SlackMessageRef>();
    if (unknown.size > 0) {
      try {
        found = await findAlerts(this.options.client, {
          channel: context.object,
          sync: context.sync,
          keys: unknown,
          windowSeconds: this.options.lookupWindowSeconds,
          maxPages: this.options.lookupMaxPages,
          pageSize: this.options.historyPageSize,
          pace: async () => {
            this.lastHistory = await this.pace(this.lastHistory, this.options.historyIntervalMs, signal);
          },
          call,
        });
      } catch (error) {
        const failed = failure(error, 'conversations.history', context.object);
        // No record's content is in a history read: whatever Slack refuses there, retrying the record cannot fix.
        throw failed.kind === 'rejected' ? new PermanentDestinationError(failed.code, failed.reason, { cause: error }) : failed.error;
      }
      for (const [key, ref] of found) this.options.logger?.info({ sync: context.sync, key, ref: formatRef(ref) }, 'slack: alert already posted (an earlier run stopped before its checkpoint); editing it instead of posting');
    }

    const outcomes: RecordOutcome[] = [];
    for (const [index, record] of records.entries()) {
      signal.throwIfAborted();
      const ref = parseRef(record.externalRef) ?? found.get(record.key) ?? null;
      const method = record.action === 'delete' ? 'chat.delete' : ref === null ? 'chat.postMessage' : 'chat.update';
      const channel = ref?.channel ?? context.object;
      try {
        outcomes.push(await this.sendOne(record, ref, context, call));
      } catch (error) {
        const failed = failure(error, method, channel);
        if (failed.kind === 'rejected') {
          if (record.action === 'delete' && failed.code === 'message_not_found') {
            outcomes.push({ key: record.key, status: 'sent', externalRef: null });
          } else {
            outcomes.push({ key: record.key, status: 'rejected', code: failed.code, reason: failed.reason });
          }
          continue;
        }
        if (failed.kind === 'permanent' || index === 0) throw failed.error;
        // Some records are done: keep their outcomes, and ask for the rest again later.
        for (const rest of records.slice(index)) {
          outcomes.push({ key: rest.key, status: 'retry', code: failed.code, reason: failed.error.message, ...(failed.error.retryAfterMs === undefined ? {} : { retryAfterMs: failed.error.retryAfterMs }) });
        }
        break;
      }
    }
    return outcomes;
  }

  private async sendOne(
    record: ChangeRecord,
    ref: SlackMessageRef | null,
    context: SendContext,
    call: <T>(request: () => Promise<T>) => Promise<T>,
  ): Promise<RecordOutcome> {
    const { client } = this.options;
    if (record.action === 'delete') {
      if (ref !== null) await call(() => client.chat.delete({ channel: ref.channel, ts: ref.ts }));
      return { key: record.key, status: 'sent', externalRef: null };
    }
    const content = messageContent(record.fields);
    if ('invalid' in content) return { key: record.key, status: 'rejected', code: content.invalid, reason: content.reason };
    const metadata = alertMetadata(context.sync, record.key);
    // The client leaves undefined arguments out of the form body. Slack wants text or blocks;
    // with neither it answers no_text, which rejects the record.
    const body = { text: content.text, blocks: content.blocks, metadata };
    if (ref !== null) {
      const response = await call(() => client.chat.update({ channel: ref.channel, ts: ref.ts, ...body } as ChatUpdateArguments));
      return { key: record.key, status: 'sent', externalRef: formatRef({ channel: response.channel ?? ref.channel, ts: String(response.ts ?? ref.ts) }) };
    }
    this.lastPost.set(context.object, await this.pace(this.lastPost.get(context.object), this.options.postIntervalMs, context.signal));
    const response = await call(() => client.chat.postMessage({ channel: context.object, ...body } as ChatPostMessageArguments));
    if (typeof response.ts !== 'string' || typeof response.channel !== 'string') {
      // Without a ts the message could never be edited; the next attempt finds it by its metadata.
      throw new Error(`chat.postMessage answered ok without a channel and ts (${JSON.stringify({ channel: response.channel, ts: response.ts })}).`);
    }
    return { key: record.key, status: 'sent', externalRef: formatRef({ channel: response.channel, ts: response.ts }) };
  }
}

