/**
 * The durable landing spool: an append-only, group-committed write-ahead log that the
 * webhook handlers append to before acknowledging, and the warehouse drain reads from.
 * See spool.ts for the contract and README-level example.
 */
export { Spool, type SpoolOptions, type SpoolStats, type ReadLimits, type TailRecovery } from './spool.js';
export { comparePositions, formatPosition, type SpoolEntry, type SpoolPosition } from './position.js';
export { MAX_PAYLOAD_BYTES } from './errors.js';
