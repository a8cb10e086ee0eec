// The bars the held-out figures must clear in CI (test/nlu/heldout.test.ts) and in `npm run eval:nlu`.
// The target is 0.95 for both. Measured on 2026-12-02 in the evening (2,037 questions, 366
// follow-up turns, held-out parts 1-7, answered through the validity layer): answers 0.944 with both
// segmenters, follow-ups 0.915 (rs-jieba) and 0.918 (nodejieba). The bars sit a little below, so a
// regression fails CI; raise them as the figures rise, never lower them to pass.
export const MIN_HELDOUT_ANSWERS = 0.935;
export const MIN_HELDOUT_FOLLOWUPS = 0.91;
