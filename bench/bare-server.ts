/**
 * The baseline for bench:ingest: a bare Fastify route on the same path that reads the body
 * as a Buffer (as the real route does) and answers 202 without checking or storing
 * anything. Prints its URL on stdout.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/webhooks/8x8/messaging', async (_request, reply) => reply.code(202).send({ status: 'accepted' }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
