// The bars the held-out figures must clear in CI (test/nlu/heldout.test.ts) and in `npm run eval:nlu`.
// The target is 0.95 for both. Measured on 2026-12-02 at the end of the third session that
// day (1,755 questions, 314 follow-up turns, held-out parts 1-6): answers 0.938 with both segmenters,
// follow-ups 0.930 with both. The bars sit a little below, so a regression fails CI; raise them as
// the figures rise, never lower them to pass.
export const MIN_HELDOUT_ANSWERS = 0.93;
export const MIN_HELDOUT_FOLLOWUPS = 0.91;
