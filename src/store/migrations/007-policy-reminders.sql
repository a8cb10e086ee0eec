-- Expiry reminders sent to staff: one row per document, end date and threshold (30, 7, 1 days),
-- so each is sent once even across restarts. A new end date (a reissued document) starts afresh.
CREATE TABLE policy_reminders (
  document TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  days INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (document, valid_until, days)
);
