// The bars the held-out figures must clear in CI (test/nlu/heldout.test.ts) and in `npm run eval:nlu`.
// The target is 0.95 for both. Measured on 2026-12-02 at night (2,235 questions, 423
// follow-up turns, held-out parts 1-8, answered through the validity layer): answers 0.948 and
// follow-ups 0.922 with both segmenters. The bars sit a little below, so a
// regression fails CI; raise them as the figures rise, never lower them to pass.
export const MIN_HELDOUT_ANSWERS = 0.94;
export const MIN_HELDOUT_FOLLOWUPS = 0.915;
