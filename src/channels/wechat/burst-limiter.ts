/** What to do with one more message from a person. */
export type BurstDecision = 'answer' | 'notice' | 'drop';

/**
 * A sliding one-minute window per person. Past the limit the person gets one notice, then
 * silence until the window has room again: a burst costs the group one extra message, not ten.
 */
export class BurstLimiter {
  private readonly seen = new Map<string, { at: number[]; noticed: boolean }>();

  constructor(private readonly windowMs = 60_000) {}

  take(person: string, now: number, limit: number): BurstDecision {
    const entry = this.seen.get(person) ?? { at: [], noticed: false };
    this.seen.set(person, entry);
    entry.at = entry.at.filter((t) => now - t < this.windowMs);
    if (entry.at.length < limit) {
      entry.at.push(now);
      entry.noticed = false;
      return 'answer';
    }
    if (entry.noticed) return 'drop';
    entry.noticed = true;
    return 'notice';
  }

  /** Forgets people quiet for a whole window (keeps the map small on a busy account). */
  sweep(now: number): void {
    for (const [person, entry] of this.seen) {
      if (entry.at.every((t) => now - t >= this.windowMs)) this.seen.delete(person);
    }
  }
}
