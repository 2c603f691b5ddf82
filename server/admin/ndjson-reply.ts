/**
 * Streaming a long run's progress to an operator as NDJSON (`application/x-ndjson`): one JSON
 * value per line, and a blank line every 30 s as a keep-alive, so that a slow model or sync
 * does not trip a client's idle timeout (fetch gives up after 300 s without a byte). A client
 * that goes away does not stop the run: writes to a closed stream are dropped.
 */
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** How often a running stream sends a keep-alive blank line. */
export const KEEP_ALIVE_MS = 30_000;

/**
 * Answers `reply` with an NDJSON stream fed by `run`, which gets a `line` writer and may
 * resolve whenever it is done; the stream ends then (or when it rejects, after `run` has
 * written its own error line). Not awaited by the route: the response streams meanwhile.
 * @example return ndjsonReply(reply, (line) => puller.run(name, { onProgress: (event) => line({ event }) }).then((result) => line({ result })))
 */
export function ndjsonReply(reply: FastifyReply, run: (line: (value: unknown) => void) => Promise<unknown>): FastifyReply {
  const stream = new PassThrough();
  stream.on('error', () => {}); // a client that went away; the run goes on
  const write = (text: string): void => {
    if (!stream.destroyed && !stream.writableEnded) stream.write(text);
  };
  const keepAlive = setInterval(() => write('\n'), KEEP_ALIVE_MS);
  void run((value) => write(`${JSON.stringify(value)}\n`))
    .catch(() => undefined) // `run` reports its own failure as a line
    .finally(() => {
      clearInterval(keepAlive);
      stream.end();
    });
  return reply.type('application/x-ndjson').send(stream);
}
