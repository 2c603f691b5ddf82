/**
 * POST /docs/catalog { relations: [{ schema, name }] } → { relations: [{ schema, name, kind, columns }] }:
 * the columns of those relations that exist, read from the warehouse's catalog (names and
 * types, never rows), for `switchboard docs generate` while this process holds the warehouse
 * (an embedded DuckDB file admits one process). Relations that do not exist are left out of
 * the answer. A read route, like POST /sql. 503 with the error's code when the warehouse does
 * not answer.
 */
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '../../core/errors.js';
import { errorBody } from '../../ingest/errors.js';
import { readRelations } from '../../sql/engine/docs-catalog.js';
import type { Warehouse } from '../../sql/warehouse.js';

export interface DocsRoutesOptions {
  warehouse: Warehouse;
}

const name = { type: 'string', minLength: 1, maxLength: 255 };

export async function docsRoutes(app: FastifyInstance, options: DocsRoutesOptions): Promise<void> {
  const relation = { type: 'object', required: ['schema', 'name'], additionalProperties: false, properties: { schema: name, name } };
  const body = { type: 'object', required: ['relations'], additionalProperties: false, properties: { relations: { type: 'array', items: relation, maxItems: 10_000 } } };
  app.post('/docs/catalog', { schema: { body } }, async (request, reply) => {
    const { relations } = request.body as { relations: Array<{ schema: string; name: string }> };
    try {
      return { relations: await readRelations(options.warehouse.introspector, relations) };
    } catch (error) {
      const code = error instanceof SwitchboardError ? error.code : 'SB_DOCS_CATALOG_UNAVAILABLE';
      return reply.code(503).send(errorBody(code, `Reading the warehouse's catalog failed: ${(error as Error).message}`));
    }
  });
}
