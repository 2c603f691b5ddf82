/**
 * A local SMTP server that records what it receives, for tests of the email alert route:
 * the `smtp-server` package (the SMTP server of the nodemailer project) on 127.0.0.1 with a
 * random port, speaking SMTP as RFC 5321 defines it; what the tests check is what a mail
 * server would have been handed.
 *
 * - No TLS: STARTTLS is not offered (`disabledCommands`), so a client with `secure: false`
 *   sends in plain text, as to a relay on a private network.
 * - Authentication (RFC 4954) only when the test gives a user and password: then AUTH PLAIN
 *   or LOGIN is required (`530` without it), and a wrong password answers `535`.
 * - {@link FakeSmtp.failNext} refuses the next messages at the end of DATA with a reply code:
 *   `451` (a transient failure, RFC 5321 §4.2.1: "try again later") or `550` (permanent).
 *
 * Each message is kept with its envelope, its headers, and its text body decoded from the
 * transfer encodings nodemailer uses for text (7bit, quoted-printable, base64).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** MAIL FROM. */
  from: string;
  /** RCPT TO, in order. */
  to: string[];
  /** Header names lower-cased, values unfolded, e.g. `{ subject: '[Switchboard] FIRING …', 'in-reply-to': '<…>' }`. */
  headers: Record<string, string>;
  subject: string;
  /** The body, decoded. */
  text: string;
  /** The message as received. */
  raw: string;
  /** The user that logged in, if any. */
  user: string | null;
}

export interface FakeSmtpOptions {
  /** With `password`, AUTH is required and checked. */
  user?: string;
  password?: string;
}

export interface FakeSmtp {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Logins refused (a wrong user or password). */
  refusedLogins: number;
  /** The next `times` messages are refused at the end of DATA with `code` (451: later; 550: never). */
  failNext(code: 451 | 550, times?: number): void;
  close(): Promise<void>;
}

export async function startFakeSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const failures: number[] = [];
  const auth = options.user !== undefined;
  const fake: FakeSmtp = {
    host: '127.0.0.1',
    port: 0,
    messages: [],
    refusedLogins: 0,
    failNext(code, times = 1) {
      for (let i = 0; i < times; i++) failures.push(code);
    },
    close: async () => undefined,
  };
  const server = new SMTPServer({
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(login, _session, callback) {
      if (login.username === options.user && login.password === options.password) return callback(null, { user: login.username });
      fake.refusedLogins += 1;
      return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const code = failures.shift();
        if (code !== undefined) {
          return callback(Object.assign(new Error(code === 451 ? 'Requested action aborted: try again later' : 'Message refused'), { responseCode: code }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, text } = parse(raw);
        fake.messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          headers,
          subject: headers.subject ?? '',
          text,
          raw,
          user: typeof session.user === 'string' ? session.user : null,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.port = (server.server.address() as AddressInfo).port;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

/** Headers (unfolded, RFC 5322 §2.2.3) and the body decoded from its Content-Transfer-Encoding. */
function parse(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let text = body;
  if (encoding === 'quoted-printable') {
    // RFC 2045 §6.7: `=` at a line's end is a soft break; `=XX` is a byte.
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    text = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headers, text: text.replace(/\r\n/g, '\n') };
}
