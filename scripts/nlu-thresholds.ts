// The bars the held-out figures must clear in CI (test/nlu/heldout.test.ts) and in `npm run eval:nlu`.
// The target is 0.95 for both. Measured on 2026-12-03 evening (2,884 questions, 900 follow-up
// turns, held-out parts 1-12, answered through the validity layer): answers 0.951 with both
// segmenters, follow-ups 0.927 (rs-jieba) and 0.929 (nodejieba). Part 12, a new writer's, came in at
// 0.889 of its follow-up turns on first contact; parts 1-10 alone are at 0.951 / 0.933. The bars sit a
// little below, so a regression fails CI; raise them as the figures rise, and lower them only when a
// new held-out part does, saying so here.
export const MIN_HELDOUT_ANSWERS = 0.945;
export const MIN_HELDOUT_FOLLOWUPS = 0.92;
