// The bars the held-out figures must clear in CI (test/nlu/heldout.test.ts) and in `npm run eval:nlu`.
// The target is 0.95 for both. Measured on 2026-12-03 (2,533 questions, 489 follow-up
// turns, held-out parts 1-9, answered through the validity layer): answers 0.947 and follow-ups
// 0.920 with both segmenters. Part 9, a new writer's, came in at 0.933 / 0.848 on first contact and
// took the follow-up figure under the day before's bar of 0.915 for a while (the bar was 0.91 then);
// parts 1-8 alone are at 0.948 / 0.929. The bars sit a little below, so a regression fails CI; raise
// them as the figures rise, and lower them only when a new held-out part does, saying so here.
export const MIN_HELDOUT_ANSWERS = 0.94;
export const MIN_HELDOUT_FOLLOWUPS = 0.915;
