/**
 * Which Salesforce operation each change needs: the sync's mode gates what may happen, the
 * record's action says what changed.
 *
 * | mode            | create                     | update                       | delete |
 * |-----------------|----------------------------|------------------------------|--------|
 * | upsert, mirror  | upsert by external ID      | upsert by external ID        | delete |
 * | create          | insert (taken ID: skipped) | skip: never updates          | delete |
 * | update          | update (missing: skipped)  | update (missing: skipped)    | delete |
 * | not given       | insert (taken ID: skipped) | update (missing: skipped)    | delete |
 *
 * The engine sends a create-only sync only `create` and an update-only sync only `update`,
 * so without the mode an action alone is read the safe way: `create` never updates and
 * `update` never creates. With the mode (SendContext.mode), upsert syncs upsert: a resent
 * create after a crash updates the record it made, and an update of a record someone
 * deleted in Salesforce creates it again.
 */
import type { ChangeAction, ChangeRecord, SendContext } from '../../destination.js';

export type SyncMode = 'upsert' | 'update' | 'create' | 'mirror';

/** The Salesforce call a change needs, or `skip` (not sent on purpose). */
export type Operation = 'upsert' | 'insert' | 'update' | 'delete' | 'skip';

/** SendContext plus the sync's mode, which the engine may pass along. */
export type SalesforceSendContext = SendContext & { mode?: SyncMode };

export function operationFor(action: ChangeAction, mode: SyncMode | undefined): Operation {
  if (action === 'delete') return 'delete';
  switch (mode) {
    case 'upsert':
    case 'mirror':
      return 'upsert';
    case 'update':
      return 'update';
    case 'create':
      return action === 'create' ? 'insert' : 'skip';
    default:
      return action === 'create' ? 'insert' : 'update';
  }
}

/** Records grouped by operation, in their original order within a group. */
export function planBatch(records: readonly ChangeRecord[], mode: SyncMode | undefined): Record<Operation, ChangeRecord[]> {
  const plan: Record<Operation, ChangeRecord[]> = { upsert: [], insert: [], update: [], delete: [], skip: [] };
  for (const record of records) plan[operationFor(record.action, mode)].push(record);
  return plan;
}
