/**
 * A latency sketch: percentiles of many durations in little memory, with a bounded relative
 * error, as DDSketch does (Masson, Rim, Lee: "DDSketch: a fast and fully-mergeable quantile
 * sketch with relative-error guarantees", VLDB 2019). Each value goes into a bucket whose
 * bounds grow geometrically by γ = (1 + α) / (1 − α); a percentile is read back as its
 * bucket's midpoint, within α (1 %) of the true value. One sketch per minute, stage and
 * pipeline holds every sample of that minute in a few hundred counters at most.
 *
 * Durations under 1 ms (and negative ones: an event time a little ahead of our clock) count
 * as 0 ms. The maximum is kept exactly.
 */

/** Relative accuracy of every percentile read back. */
export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Below this many milliseconds a value counts as 0. */
const MIN_MS = 1;

export interface Percentiles {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class LatencySketch {
  /** Bucket index → count. Index i holds values in (γ^(i−1), γ^i]. */
  private readonly buckets = new Map<number, number>();
  private zeros = 0;
  private total = 0;
  private largest = 0;

  /** How many values were added. */
  get count(): number {
    return this.total;
  }

  /** The largest value added (ms), exact; 0 when none. */
  get max(): number {
    return this.largest;
  }

  /**
   * Adds `count` values of `ms` milliseconds each.
   * @example sketch.add(412); sketch.add(30_000, 250) // a drain batch of 250 events landed 30 s after arrival
   */
  add(ms: number, count = 1): void {
    if (!(count > 0) || !Number.isFinite(ms)) return;
    this.total += count;
    if (ms > this.largest) this.largest = ms;
    if (ms < MIN_MS) {
      this.zeros += count;
      return;
    }
    const index = Math.ceil(Math.log(ms) / LOG_GAMMA);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + count);
  }

  /** Adds every value of `other` (sketches merge exactly: bucket by bucket). */
  merge(other: LatencySketch): void {
    this.total += other.total;
    this.zeros += other.zeros;
    if (other.largest > this.largest) this.largest = other.largest;
    for (const [index, count] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + count);
  }

  /**
   * The value at quantile `q` (0…1), by nearest rank on the sorted values (the ⌈q·n⌉-th
   * smallest), within 1 % of it, never above the maximum. 0 when empty.
   * @example sketch.quantile(0.95)
   */
  quantile(q: number): number {
    return this.quantiles([q])[0] ?? 0;
  }

  /** Several quantiles in one pass; `qs` in any order. */
  quantiles(qs: readonly number[]): number[] {
    if (this.total === 0) return qs.map(() => 0);
    const ranks = qs.map((q) => Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * this.total)));
    const order = ranks.map((rank, i) => ({ rank, i })).sort((a, b) => a.rank - b.rank);
    const out = new Array<number>(qs.length).fill(0);
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = this.zeros;
    let next = 0;
    // Ranks within the zero bucket read 0.
    while (next < order.length && (order[next] as { rank: number }).rank <= seen) next += 1;
    for (const index of indexes) {
      if (next >= order.length) break;
      seen += this.buckets.get(index) as number;
      const value = Math.min(this.largest, (2 * GAMMA ** index) / (GAMMA + 1));
      while (next < order.length && (order[next] as { rank: number }).rank <= seen) {
        out[(order[next] as { i: number }).i] = value;
        next += 1;
      }
    }
    return out;
  }

  /** p50, p95, p99 and the maximum, with the count. */
  percentiles(): Percentiles {
    const [p50, p95, p99] = this.quantiles([0.5, 0.95, 0.99]) as [number, number, number];
    return { samples: this.total, p50, p95, p99, max: this.largest };
  }
}
