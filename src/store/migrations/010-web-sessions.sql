-- Officials signed in to the web console. Only a hash of the cookie is kept; a session lives
-- as long as its token is not revoked and it has not expired.
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  token_id INTEGER NOT NULL REFERENCES admin_tokens (id),
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
