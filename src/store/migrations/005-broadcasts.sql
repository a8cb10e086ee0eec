-- API tokens for officials and admins; only a hash of each token is kept.
CREATE TABLE admin_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

-- Messaging-platform users with a role (e.g. Feishu officials who may broadcast).
CREATE TABLE user_roles (
  channel TEXT NOT NULL,
  user_id TEXT NOT NULL,
  role TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (channel, user_id)
);

-- Who did what, when, to which targets.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE broadcasts (
  id TEXT PRIMARY KEY,
  title TEXT,
  text TEXT NOT NULL,
  measures TEXT NOT NULL DEFAULT '[]',
  targets TEXT NOT NULL,
  -- The message as sent, rendered once when sending starts so every target gets the same words.
  rendered TEXT,
  status TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  scheduled_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX broadcasts_due ON broadcasts (status, scheduled_at);

-- The outbox: one row per target, written before anything is sent.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  broadcast_id TEXT NOT NULL REFERENCES broadcasts (id),
  seq INTEGER NOT NULL,
  channel TEXT NOT NULL,
  chat_id TEXT NOT NULL,
  chat_name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'skipped', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  updated_at INTEGER NOT NULL,
  UNIQUE (broadcast_id, channel, chat_id)
);
CREATE INDEX deliveries_work ON deliveries (status, channel, broadcast_id, seq);

-- A platform that told us to stop sending (WeChat "发送消息过于频繁") is left alone until then.
CREATE TABLE channel_halts (
  channel TEXT PRIMARY KEY,
  until INTEGER NOT NULL,
  reason TEXT NOT NULL
);
