/** An in-process destination for engine tests. */
import { TransientDestinationError, type ChangeRecord, type Destination, type RecordOutcome } from '../../sync/destination.js';

/** Keeps records by key, like a destination with external IDs; scriptable failures. */
export class MemoryDestination implements Destination {
  readonly type = 'memory';
  readonly store = new Map<string, ChangeRecord['fields']>();
  readonly calls: ChangeRecord[][] = [];
  /** Keys refused for good, with the reason. */
  reject = new Map<string, string>();
  /** Whole-call failures still to come. */
  transientCalls = 0;
  constructor(readonly batchSize = 2) {}

  /** Resolves each send only when the test says so (see `release`). */
  hold = false;
  private waiting: Array<() => void> = [];

  release(): void {
    for (const resume of this.waiting.splice(0)) resume();
  }

  async send(records: readonly ChangeRecord[]): Promise<RecordOutcome[]> {
    this.calls.push([...records]);
    if (this.hold) await new Promise<void>((resume) => this.waiting.push(resume));
    if (this.transientCalls > 0) {
      this.transientCalls -= 1;
      throw new TransientDestinationError('429 Too Many Requests', 1500);
    }
    return records.map((r): RecordOutcome => {
      const reason = this.reject.get(r.key);
      if (reason !== undefined) return { key: r.key, status: 'rejected', code: 'INVALID', reason };
      if (r.action === 'delete') {
        this.store.delete(r.key);
        return { key: r.key, status: 'sent' };
      }
      if (r.action === 'update' && !this.store.has(r.key)) return { key: r.key, status: 'skipped', reason: 'no such record' };
      this.store.set(r.key, r.fields);
      return { key: r.key, status: 'sent', externalRef: `id-${r.key}` };
    });
  }

  sentKeys(): string[] {
    return this.calls.flat().map((r) => `${r.action}:${r.key}`);
  }
}

