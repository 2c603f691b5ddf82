import { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadServeConfig } from '../../server/serve-config.js';
import { createSwitchboardServer } from '../../server/switchboard-server.js';
import { ADMIN_TOKEN_ENV, adminDataDir, bootstrapTokenPath } from '../../server/admin-tokens.js';
import { describeWarehouse } from '../../sql/warehouses/index.js';
import { listeningOn } from '../local-url.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the landing server: receive 8x8 webhooks and land them in the warehouse.')
    .option('-c, --config <file>', 'config file (default: ./switchboard.yaml if present, else built-in local defaults)')
    .option('-p, --port <port>', 'listen on this port (overrides server.port)', (v) => Number.parseInt(v, 10))
    .option('--host <host>', 'listen on this address (overrides server.host)')
    .option('--admin-port <port>', 'operator API port (overrides admin.port)', (v) => Number.parseInt(v, 10))
    .addHelpText(
      'after',
      `
Routes:
  POST /webhooks/8x8/messaging        Connect SMS and Chat Apps
  POST /webhooks/8x8/voice            Connect voice (VSS, VCS, VRU, VNU)
  POST /webhooks/8x8/contact-center   Contact Center chat (signed JWS)
  POST /webhooks/8x8/meetings         JaaS (signed HMAC)
  POST /oauth/token                   token endpoint for messaging in oauth mode
  GET  /healthz, /readyz              liveness and readiness (ready or not, no details)
Operator API (admin.host:admin.port, loopback only by default; Authorization: Bearer <token>):
  GET  /status              role read     \`switchboard status\`: readiness, backlog, builds, syncs, pulls
  GET  /metrics             role read     Prometheus metrics
  GET  /rejections          role read     \`switchboard replay --list\`
  POST /rejections/replay   role operate  \`switchboard replay\`
  POST /sql                 role read     \`switchboard sql\` (read-only queries)
  POST /build               role operate  \`switchboard build\`
  POST /test                role operate  \`switchboard test\`
  POST /seed                role operate  \`switchboard seed\`
  POST /source-freshness    role operate  \`switchboard source freshness\`
  POST /sync                role operate  \`switchboard sync\`
  POST /pull                role operate  \`switchboard pull\`
  GET  /alerts              role read     alerts firing and resolved (?status=firing|resolved|all)
  POST /alerts/test         role operate  a test notification through a route ({"route":"slack"})
  GET  /dlq                 role read     \`switchboard dlq list\`: dead letters of landing, the quarantine, syncs, pulls
  GET  /dlq/:id             role read     \`switchboard dlq show\`
  POST /dlq/replay          role operate  \`switchboard dlq replay\`
  /console/                 the web console, in a browser on this listener: sign in with a token
                            (every page: role read; replaying dead letters, sync previews: operate)
  GET  /drift               role read     schema drift (?since=, family=, kind=, limit=)
  GET  /signals             role read     signals per minute: throughput, latency, ratios, backlog
  POST /docs/catalog        role read     \`switchboard docs generate\`: the columns of the models' relations
The token is SWITCHBOARD_ADMIN_TOKEN, else <data dir>/admin-token (generated on first start,
mode 0600; the CLI reads it); more with \`switchboard admin-token create\`.

Models are built on models.schedule (default every 5 minutes; "off" disables it), one build
at a time: a scheduled build is skipped while a manual one runs, and the other way round.

Stop with Ctrl-C (SIGINT) or SIGTERM: requests in flight and a running build finish, the spool
is flushed.`,
    )
    .action(async (options: { config?: string; port?: number; host?: string; adminPort?: number }) => {
      const config = loadServeConfig({
        path: options.config,
        overrides: { port: options.port, host: options.host, adminPort: options.adminPort },
      });
      const logger = pino({ level: config.file.log.level, base: { service: 'switchboard' } });
      for (const warning of config.warnings) logger.warn(warning);
      const server = await createSwitchboardServer(config, logger);
      const { host, port } = config.file.server;
      const listening = await listen(server.app, host, port);
      const where = describeWarehouse(config.file.warehouse);
      logger.info(
        { address: listening.url, host, warehouse: where, spool: config.file.spool.dir, config: config.source ?? 'built-in defaults' },
        `Switchboard is listening on ${listening.text}; landing into ${where}`,
      );
      // A human line whatever log.level is: the first thing someone starting it looks for.
      process.stderr.write(`Switchboard listening on ${listening.text} (warehouse: ${where}; webhooks: POST ${listening.url}/webhooks/8x8/<family>)\n`);
      if (config.file.admin.enabled) {
        const admin = await listen(server.admin, config.file.admin.host, config.file.admin.port);
        const token = process.env[ADMIN_TOKEN_ENV] ? ADMIN_TOKEN_ENV : bootstrapTokenPath(adminDataDir(config, process.cwd()));
        process.stderr.write(`Operator API on ${admin.text} (switchboard sql, replay, build, test, sync, pull, status; GET /metrics; web console: /console/; token: ${token})\n`);
      }
      server.jobs.start(); // builds, syncs and pulls on their schedules, one node per tick
      server.alerts?.startLocal(); // the drain's alert rules, on this node

      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          logger.warn(`${signal} again: exiting now (the spool keeps every acknowledged event)`);
          process.exit(130);
        }
        stopping = true;
        logger.info(`${signal}: finishing requests in flight and flushing the spool`);
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'error while stopping');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}

/**
 * Listens, and says where: Fastify answers a wildcard host (0.0.0.0) with a loopback URL,
 * which is not where other machines reach it. The port is the bound one (port 0 picks one).
 */
async function listen(app: FastifyInstance, host: string, port: number): Promise<{ url: string; text: string }> {
  await app.listen({ host, port });
  const bound = app.server.address();
  return listeningOn(host, typeof bound === 'object' && bound !== null ? bound.port : port);
}
