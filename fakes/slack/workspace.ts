/**
 * The in-memory workspace behind the fake Slack server (fakes/slack/index.ts): channels,
 * messages, and the documented behaviour of the methods Switchboard calls. Built from
 * ../shared/reference/clients-and-apis.md §3 and Slack's method pages:
 *
 * - chat.postMessage (https://docs.slack.dev/reference/methods/chat.postMessage): `channel`
 *   is an ID or a name; text or blocks required (`no_text`); ts is a string
 *   `"1700000000.000100"`; `metadata` is stored as `{event_type, event_payload}`; with
 *   `thread_ts` ("another message's ts value to make this message a reply") the message is a
 *   reply in that thread, kept with its `thread_ts` and `reply_broadcast` ("whether reply
 *   should be made visible to everyone in the channel"); a `thread_ts` naming no message of
 *   the channel is refused `thread_not_found` [? the method page lists no such error; the
 *   Web API's does for other methods].
 * - chat.update (…/chat.update): `channel` must be an ID; `message_not_found`,
 *   `cant_update_message` (not this app's); omitted blocks/metadata are kept, `[]` removes blocks.
 * - chat.delete (…/chat.delete): `message_not_found`, `cant_delete_message`.
 * - conversations.history (…/conversations.history): newest first; `oldest`/`latest`
 *   exclusive unless `inclusive`; `limit` default 100, at most 999 (15 and 15 for
 *   non-Marketplace apps: {@link SlackWorkspace.historyLimit}, set by the server); cursor paging with
 *   `has_more` and `response_metadata.next_cursor`; message `metadata` only with
 *   `include_all_metadata`; `not_in_channel` for a channel the app is not in.
 *
 * Failures are `ok:false` bodies: {@link SlackApiError}.
 */

export interface FakeSlackChannel {
  /** e.g. `C0ALERTS`. */
  id: string;
  /** Without `#`, e.g. `alerts`. */
  name: string;
  /** Whether the app is in the channel (else `not_in_channel`). Default true. */
  member?: boolean;
  archived?: boolean;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** `app` when posted through the API with the bot token; `person` for messages {@link SlackWorkspace.seed}ed as a user's. */
  author: 'app' | 'person';
  edited?: { ts: string };
  /** A reply: the ts of its thread's first message. */
  thread_ts?: string;
  /** A reply also shown in the channel. */
  reply_broadcast?: boolean;
}

/** An `ok:false` answer (HTTP 200), e.g. `channel_not_found`. */
export class SlackApiError extends Error {
  constructor(readonly error: string, readonly extra: Record<string, unknown> = {}) {
    super(error);
  }
}

export type Args = Record<string, unknown>;

const BOT = { user: 'U0SWITCHBD', bot_id: 'B0SWITCHBD', app_id: 'A0SWITCHBD', team: 'T0ACME' } as const;

export class SlackWorkspace {
  readonly channels = new Map<string, FakeSlackChannel>();
  private readonly history = new Map<string, StoredMessage[]>();
  private lastMicros = 0;
  /** conversations.history's `limit`: its default and its largest value (larger ones are cut). */
  historyLimit = { default: 100, max: 999 };

  constructor(channels: readonly FakeSlackChannel[]) {
    for (const channel of channels) this.addChannel(channel);
  }

  addChannel(channel: FakeSlackChannel): void {
    this.channels.set(channel.id, { member: true, ...channel });
    if (!this.history.has(channel.id)) this.history.set(channel.id, []);
  }

  /** A channel's messages, oldest first. */
  messages(channel: string): StoredMessage[] {
    return [...(this.history.get(channel) ?? [])];
  }

  /** Puts a message in a channel directly, `ageSeconds` in the past: an older alert, or a person's message. */
  seed(channel: string, message: { text: string; metadata?: StoredMessage['metadata']; author?: 'app' | 'person'; ageSeconds?: number }): string {
    const stored: StoredMessage = { channel, ts: this.nextTs(message.ageSeconds ?? 0), text: message.text, author: message.author ?? 'app', ...(message.metadata === undefined ? {} : { metadata: message.metadata }) };
    this.store(stored);
    return stored.ts;
  }

  /** Runs one method; throws SlackApiError for an `ok:false` answer. */
  call(method: string, args: Args): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { url: 'https://acme.slack.com/', team: 'Acme', user: 'switchboard', team_id: BOT.team, user_id: BOT.user, bot_id: BOT.bot_id };
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return this.update(args);
      case 'chat.delete':
        return this.delete(args);
      case 'conversations.history':
        return this.conversationHistory(args);
      default:
        throw new SlackApiError('unknown_method');
    }
  }

  /** The channel a method may write or read, by ID (or by name where `byName`). */
  channelFor(args: Args, options: { byName?: boolean; write?: boolean } = {}): FakeSlackChannel {
    const wanted = typeof args.channel === 'string' ? args.channel : '';
    if (wanted === '') throw new SlackApiError('channel_not_found');
    const byId = this.channels.get(wanted);
    const byName = options.byName === true ? [...this.channels.values()].find((c) => `#${c.name}` === wanted || c.name === wanted) : undefined;
    const channel = byId ?? byName;
    if (channel === undefined) throw new SlackApiError('channel_not_found');
    if (channel.member === false) throw new SlackApiError('not_in_channel');
    if (options.write === true && channel.archived === true) throw new SlackApiError('is_archived');
    return channel;
  }

  private postMessage(args: Args): Record<string, unknown> {
    const channel = this.channelFor(args, { byName: true, write: true });
    const content = this.content(args);
    const thread = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? this.find(channel.id, args.thread_ts, 'thread_not_found').ts : undefined;
    const message: StoredMessage = {
      channel: channel.id,
      ts: this.nextTs(0),
      text: content.text ?? '',
      author: 'app',
      ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
      ...(content.metadata === undefined ? {} : { metadata: content.metadata }),
      ...(thread === undefined ? {} : { thread_ts: thread, reply_broadcast: flag(args.reply_broadcast) }),
    };
    this.store(message);
    return { channel: channel.id, ts: message.ts, message: this.render(message, false) };
  }

  private update(args: Args): Record<string, unknown> {
    const channel = this.channelFor(args, { write: true });
    const message = this.find(channel.id, args.ts);
    if (message.author !== 'app') throw new SlackApiError('cant_update_message');
    const content = this.content(args);
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) {
      if (content.blocks.length === 0) delete message.blocks;
      else message.blocks = content.blocks;
    }
    if (content.metadata !== undefined) message.metadata = content.metadata;
    message.edited = { ts: this.nextTs(0) };
    return { channel: channel.id, ts: message.ts, text: message.text, message: this.render(message, false) };
  }

  private delete(args: Args): Record<string, unknown> {
    const channel = this.channelFor(args, { write: true });
    const message = this.find(channel.id, args.ts);
    if (message.author !== 'app') throw new SlackApiError('cant_delete_message');
    const list = this.history.get(channel.id) ?? [];
    list.splice(list.indexOf(message), 1);
    return { channel: channel.id, ts: message.ts };
  }

  private conversationHistory(args: Args): Record<string, unknown> {
    const channel = this.channelFor(args);
    const inclusive = flag(args.inclusive);
    const oldest = Number(args.oldest ?? 0);
    const latest = args.latest === undefined ? Infinity : Number(args.latest);
    if (Number.isNaN(oldest)) throw new SlackApiError('invalid_ts_oldest');
    if (Number.isNaN(latest)) throw new SlackApiError('invalid_ts_latest');
    const limit = Math.min(Math.max(Number(args.limit ?? this.historyLimit.default) || this.historyLimit.default, 1), this.historyLimit.max);
    let before = Infinity;
    if (typeof args.cursor === 'string' && args.cursor !== '') {
      const decoded = /^next_ts:([0-9]+\.[0-9]{6})$/.exec(Buffer.from(args.cursor, 'base64').toString('utf8'));
      if (decoded === null) throw new SlackApiError('invalid_cursor');
      before = Number(decoded[1]);
    }
    const inRange = (this.history.get(channel.id) ?? [])
      .filter((m) => {
        const ts = Number(m.ts);
        return (inclusive ? ts >= oldest : ts > oldest) && (inclusive ? ts <= latest : ts < latest) && ts < before;
      })
      .reverse();
    const page = inRange.slice(0, limit);
    const hasMore = inRange.length > limit;
    const last = page[page.length - 1];
    return {
      messages: page.map((m) => this.render(m, flag(args.include_all_metadata))),
      has_more: hasMore,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: { next_cursor: hasMore && last !== undefined ? Buffer.from(`next_ts:${last.ts}`).toString('base64') : '' },
    };
  }

  private find(channel: string, ts: unknown, missing = 'message_not_found'): StoredMessage {
    const message = (this.history.get(channel) ?? []).find((m) => m.ts === ts);
    if (message === undefined) throw new SlackApiError(missing);
    return message;
  }

  /** text, blocks and metadata as Slack validates them. */
  private content(args: Args): { text?: string; blocks?: unknown[]; metadata?: StoredMessage['metadata'] } {
    const text = typeof args.text === 'string' ? args.text : undefined;
    const blocks = args.blocks === undefined ? undefined : json(args.blocks, 'invalid_blocks_format');
    if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > 50 || !blocks.every((b) => typeof (b as { type?: unknown })?.type === 'string'))) {
      throw new SlackApiError('invalid_blocks');
    }
    if ((text === undefined || text === '') && (blocks === undefined || blocks.length === 0)) throw new SlackApiError('no_text');
    if (text !== undefined && text.length > 40_000) throw new SlackApiError('msg_too_long');
    let metadata: StoredMessage['metadata'];
    if (args.metadata !== undefined) {
      const parsed = json(args.metadata, 'invalid_metadata_format') as { event_type?: unknown; event_payload?: unknown } | null;
      if (typeof parsed?.event_type !== 'string' || typeof parsed.event_payload !== 'object' || parsed.event_payload === null) throw new SlackApiError('invalid_metadata_schema');
      metadata = { event_type: parsed.event_type, event_payload: parsed.event_payload as Record<string, unknown> };
    }
    return { ...(text === undefined ? {} : { text }), ...(blocks === undefined ? {} : { blocks: blocks as unknown[] }), ...(metadata === undefined ? {} : { metadata }) };
  }

  private render(message: StoredMessage, withMetadata: boolean): Record<string, unknown> {
    const author = message.author === 'app' ? { user: BOT.user, bot_id: BOT.bot_id, app_id: BOT.app_id } : { user: 'U0PERSON' };
    return {
      type: 'message',
      ...author,
      text: message.text,
      ts: message.ts,
      team: BOT.team,
      ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
      ...(message.edited === undefined ? {} : { edited: { user: BOT.user, ts: message.edited.ts } }),
      ...(message.thread_ts === undefined ? {} : { thread_ts: message.thread_ts }),
      ...(withMetadata && message.metadata !== undefined ? { metadata: message.metadata } : {}),
    };
  }

  private store(message: StoredMessage): void {
    const list = this.history.get(message.channel) ?? [];
    list.push(message);
    list.sort((a, b) => Number(a.ts) - Number(b.ts));
    this.history.set(message.channel, list);
  }

  /** `"<seconds>.<6 digits>"`, unique and rising for messages posted now. */
  private nextTs(ageSeconds: number): string {
    let micros = (Date.now() - ageSeconds * 1000) * 1000;
    if (ageSeconds === 0) {
      micros = Math.max(micros, this.lastMicros + 1);
      this.lastMicros = micros;
    }
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }
}

/** Form bodies carry booleans as `true`/`1` (Slack accepts both). */
function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** Form bodies carry blocks and metadata as JSON text; JSON bodies as values. */
function json(value: unknown, error: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SlackApiError(error);
  }
}
