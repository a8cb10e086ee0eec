-- Dialog states, one row per conversation (channel, chat, user).
CREATE TABLE dialog_states (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Every question asked, for staff statistics and for improving the intents.
CREATE TABLE question_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  channel TEXT NOT NULL,
  chat TEXT NOT NULL,
  user TEXT NOT NULL,
  text TEXT NOT NULL,
  intent TEXT NOT NULL,
  confidence REAL NOT NULL,
  measures TEXT NOT NULL
);
CREATE INDEX question_log_at ON question_log (at);
CREATE INDEX question_log_intent ON question_log (intent, at);

-- Platform event ids already handled (platforms re-deliver).
CREATE TABLE processed_events (
  id TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);
CREATE INDEX processed_events_at ON processed_events (at);
