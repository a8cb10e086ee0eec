-- Group membership: a chat the bot was removed from (or that was disbanded) stays known, with its
-- tags and subscription, but leaves the broadcast audience until the bot is back.
ALTER TABLE chats ADD COLUMN left_at INTEGER;
ALTER TABLE chats ADD COLUMN left_reason TEXT;

-- Small service-wide settings (the key behind pseudonymous user ids).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
