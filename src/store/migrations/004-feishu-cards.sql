-- Feishu cards that carry an eligibility check. A click counts only on the newest card of a
-- conversation and only once per version: a double click or an old card cannot answer twice.
CREATE TABLE feishu_cards (
  message_id TEXT PRIMARY KEY,
  conversation TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX feishu_cards_conversation ON feishu_cards (conversation);
CREATE INDEX feishu_cards_updated ON feishu_cards (updated_at);
