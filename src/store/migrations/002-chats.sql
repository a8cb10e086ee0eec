-- Every group or chat a channel has seen the bot in: the audience for broadcasts.
CREATE TABLE chats (
  channel TEXT NOT NULL,
  id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('group', 'p2p')),
  name TEXT NOT NULL DEFAULT '',
  members INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  subscribed INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (channel, id)
);
CREATE INDEX chats_channel_seen ON chats (channel, last_seen);
