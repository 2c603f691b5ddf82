/**
 * The `tx` a Warehouse hands to `transaction(fn)`: it runs statements on the transaction's
 * own connection, and refuses use after the transaction has ended (a `tx` kept past `fn`
 * would otherwise run outside any transaction, silently).
 */
import { SqlError } from '../errors.js';
import type { SqlDialect } from '../dialect.js';
import type { Queryable, SqlParam, SqlRow } from '../warehouse.js';
import { writeRowsAsSql } from '../write-rows.js';

/** A statement that changes the catalog: refused inside transactions where DDL is not transactional. */
const DDL = /^\s*(CREATE|DROP|ALTER|TRUNCATE|RENAME)\b/i;

export interface TransactionHandle {
  tx: Queryable;
  /** Call once COMMIT or ROLLBACK is under way; later use of `tx` throws. */
  end(): void;
}

export function transactionHandle(
  run: (sql: string, params: readonly SqlParam[]) => Promise<void>,
  all: <R extends SqlRow>(sql: string, params: readonly SqlParam[]) => Promise<R[]>,
  dialect: SqlDialect,
): TransactionHandle {
  let open = true;
  const guard = (): void => {
    if (!open) throw new SqlError('SB_SQL_TRANSACTION_FINISHED', 'This transaction has ended; use tx only inside fn.');
  };
  return {
    tx: {
      run: async (sql, params = []) => {
        guard();
        if (!dialect.capabilities.supportsTransactionalDdl && DDL.test(sql)) {
          throw new SqlError(
            'SB_SQL_NOT_ATOMIC',
            `${dialect.name} cannot run DDL inside a transaction, and would refuse or commit it: ${sql.slice(0, 80).replace(/\s+/g, ' ')}… Run it before the transaction.`,
          );
        }
        return run(sql, params);
      },
      all: async <R extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = []) => {
        guard();
        return all<R>(sql, params);
      },
      writeRows: async (table, rows, options) => {
        guard();
        return writeRowsAsSql(run, dialect, table, rows, options);
      },
    },
    end: () => {
      open = false;
    },
  };
}
