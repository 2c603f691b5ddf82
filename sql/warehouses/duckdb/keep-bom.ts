/**
 * @duckdb/node-api decodes VARCHAR values with a default `TextDecoder`, which silently drops
 * a leading byte-order mark (U+FEFF). DuckDB stores it; only the read loses it. Raw tables
 * promise bodies byte for byte, so reads use a decoder that keeps the BOM. The library
 * reads the decoder through its exports object on every call
 * (lib/vectors/dataAccessors.js, `exports.textDecoder.decode(…)`), so replacing it is enough.
 * Checked against @duckdb/node-api 1.5.6-r.1; test/ingest/landing.test.ts fails if it breaks.
 */
import { createRequire } from 'node:module';
import { TextDecoder } from 'node:util';

const require = createRequire(import.meta.url);
const accessors = require('@duckdb/node-api/lib/vectors/dataAccessors.js') as { textDecoder: TextDecoder };
accessors.textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
