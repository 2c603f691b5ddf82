/**
 * Email over SMTP, through nodemailer (https://nodemailer.com/smtp/): one message per
 * notification to `alerts.routes.email.to`. The fire's Message-ID is kept, and the
 * re-notifications and the resolved notice reply to it (`In-Reply-To`, `References`), so a
 * mail client threads them. The password (SWITCHBOARD_ALERTS_SMTP_PASSWORD) is used only
 * when `user` is set, and never logged (nodemailer's logger stays off).
 *
 * SMTP's answers (RFC 5321 §4.2.1): 4xx is a transient failure, retried later; 5xx is
 * permanent (a refused sender or recipient, failed authentication), not retried. A
 * connection that fails or times out is retried.
 */
import { abortable } from '../../../core/abortable-sleep.js';
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { bodyLines, subject, testAlert, type NotificationKind } from '../message.js';
import { RouteFailure, type AlertRoute, type AlertView, type RouteRef } from './route.js';

export interface EmailRouteOptions {
  host: string;
  port: number;
  /** TLS from the start (465); false: STARTTLS when the server offers it. */
  secure: boolean;
  /** With `password`, SMTP AUTH. */
  user?: string | undefined;
  password?: string | undefined;
  from: string;
  to: readonly string[];
  /** Connection, greeting and socket timeouts. */
  timeoutMs: number;
  source: string;
  now?: () => Date;
}

/** Connection errors nodemailer reports (lib/smtp-connection): worth another try. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

export class EmailRoute implements AlertRoute {
  readonly name = 'email' as const;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly now: () => Date;

  constructor(private readonly options: EmailRouteOptions) {
    this.transport = createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      ...(options.user === undefined ? {} : { auth: { user: options.user, pass: options.password ?? '' } }),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      logger: false,
    });
    this.now = options.now ?? (() => new Date());
  }

  async fire(alert: AlertView, signal: AbortSignal): Promise<RouteRef> {
    const messageId = await this.send(alert, 'fire', undefined, signal);
    return { messageId };
  }

  async renotify(alert: AlertView, ref: RouteRef, signal: AbortSignal): Promise<RouteRef> {
    await this.send(alert, 'renotify', ref.messageId, signal);
    return ref;
  }

  async resolve(alert: AlertView, ref: RouteRef, signal: AbortSignal): Promise<RouteRef> {
    await this.send(alert, 'resolve', ref.messageId, signal);
    return ref;
  }

  async test(signal: AbortSignal): Promise<string> {
    await this.send(testAlert(this.options.source, this.now()), 'test', undefined, signal);
    return `the SMTP server ${this.options.host}:${this.options.port} accepted a test message to ${this.options.to.join(', ')}`;
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  private async send(alert: AlertView, kind: NotificationKind, replyTo: string | undefined, signal: AbortSignal): Promise<string> {
    const mail = {
      from: this.options.from,
      to: [...this.options.to],
      subject: subject(alert, kind),
      text: `${bodyLines(alert, kind, this.now()).join('\n')}\n`,
      headers: { 'X-Switchboard-Alert': alert.key, 'X-Switchboard-Status': kind },
      ...(replyTo === undefined ? {} : { inReplyTo: replyTo, references: [replyTo] }),
    };
    try {
      // nodemailer takes no AbortSignal; its timeouts bound a send that outlives an abort.
      const info = await abortable(this.transport.sendMail(mail), signal);
      return info.messageId;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw failure(error, this.options);
    }
  }
}

function failure(error: unknown, options: EmailRouteOptions): RouteFailure {
  const { code, responseCode, response } = error as { code?: string; responseCode?: number; response?: string };
  const where = `SMTP ${options.host}:${options.port}`;
  if (typeof responseCode === 'number') {
    const said = `${where} answered ${response ?? responseCode}`;
    if (responseCode >= 400 && responseCode < 500) return new RouteFailure('email', `${said} (a temporary failure; retried later)`, true, undefined, { cause: error });
    const fix =
      code === 'EAUTH'
        ? 'Check alerts.routes.email.user and SWITCHBOARD_ALERTS_SMTP_PASSWORD.'
        : 'Check alerts.routes.email.from and .to, and that the server relays for this sender.';
    return new RouteFailure('email', `${said}. ${fix}`, false, undefined, { cause: error });
  }
  if (code === 'EAUTH') return new RouteFailure('email', `${where} refused the login: check alerts.routes.email.user and SWITCHBOARD_ALERTS_SMTP_PASSWORD.`, false, undefined, { cause: error });
  const retryable = code === undefined || TRANSIENT_CODES.has(code);
  return new RouteFailure('email', `${where}: ${(error as Error).message}${retryable ? ' (retried later)' : ''}; check alerts.routes.email.host, .port and .secure.`, retryable, undefined, { cause: error });
}

