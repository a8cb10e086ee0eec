/** How fast one account may post to many chats. */
export interface Pacing {
  minGapMs: number;
  maxGapMs: number;
  /** After this many sends in a run, rest for longPauseMs. */
  longPauseEvery: number;
  longPauseMs: number;
}

/**
 * The wait before the n-th send of a run (n from 0): nothing before the first, a random gap
 * between the others, and a long rest after every `longPauseEvery` sends.
 */
export function pauseBefore(n: number, pacing: Pacing, random: () => number): number {
  if (n === 0) return 0;
  if (pacing.longPauseEvery > 0 && n % pacing.longPauseEvery === 0) return pacing.longPauseMs;
  return Math.round(pacing.minGapMs + random() * Math.max(0, pacing.maxGapMs - pacing.minGapMs));
}
