/**
 * What a sync is and what a run of it reports: the types the engine, its checkpoints and its
 * diff share (kept apart from the engine so that those import no engine code).
 */
import type { ConfigFile } from '../core/config-schema.js';
import type { ChangeAction, ChangeRecord } from './destination.js';

/** One configured sync (config key syncs[]). */
export type SyncDefinition = ConfigFile['syncs'][number];

export type PlannedCounts = Record<ChangeAction | 'skip', number>;

export type SyncProgress =
  | { phase: 'planned'; sync: string; planned: PlannedCounts; total: number }
  | { phase: 'sent'; sync: string; done: number; total: number; sent: number; rejected: number; retrying: number }
  | { phase: 'retry'; sync: string; attempt: number; delayMs: number; reason: string };

export interface SyncRunResult {
  runId: string;
  sync: string;
  destination: string;
  dryRun: boolean;
  /** success: everything planned was confirmed or skipped; partial: some rejected or still retrying; failed: the run stopped. */
  status: 'success' | 'partial' | 'failed';
  planned: PlannedCounts;
  sent: number;
  rejected: number;
  /** Still failing transiently after the last attempt: sent again next run. */
  retrying: number;
  skipped: number;
  /** Dry runs: a few changes per action, as they would be sent. */
  samples: Array<{ action: ChangeAction | 'skip'; key: string; fields: ChangeRecord['fields'] }>;
  error: { code: string; message: string } | null;
  startedAt: string;
  finishedAt: string;
  seconds: number;
}
