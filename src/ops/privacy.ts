import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../store/database.js';

/**
 * A stable pseudonym for a platform user: a keyed hash, so analytics and exports can count and
 * follow people without naming them, and nobody without the key can go back to the id. The key
 * is made once per database (or given as PSEUDONYM_KEY) and never leaves it.
 */
export function pseudonymizer(key: string): (channel: string, user: string) => string {
  return (channel, user) => `p_${createHmac('sha256', key).update(`${channel}\u241f${user}`).digest('hex').slice(0, 16)}`;
}

/** The database's pseudonym key, created on first use unless one is configured. */
export function pseudonymKey(db: Db, configured?: string): string {
  if (configured) return configured;
  db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run('pseudonym_key', randomBytes(32).toString('hex'));
  return db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('pseudonym_key') as string;
}

export interface PersonRef {
  channel: string;
  user: string;
}

export interface PersonData {
  channel: string;
  user: string;
  pseudonym: string;
  questions: { at: string; chat: string; text: string; intent: string }[];
  dialogs: { chat: string; updatedAt: string; state: unknown }[];
  roles: { role: string; name: string }[];
}

/** Dialog state keys are channel␟chat␟user (conversationKey). */
const SEP = '\u241f';
/** channel␟<any chat>␟user as a LIKE pattern, the ids' own wildcards escaped. */
function dialogKeyPattern(p: PersonRef): string {
  const esc = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  return `${esc(p.channel)}${SEP}%${SEP}${esc(p.user)}`;
}

/** Everything stored about one person (their right to a copy). */
export function exportPerson(db: Db, person: PersonRef, pseudonym: string): PersonData {
  const questions = db.prepare('SELECT at, chat, text, intent FROM question_log WHERE channel = ? AND user = ? ORDER BY at')
    .all(person.channel, person.user) as { at: number; chat: string; text: string; intent: string }[];
  const dialogs = (db.prepare('SELECT key, state, updated_at FROM dialog_states WHERE key LIKE ? ESCAPE \'\\\'')
    .all(dialogKeyPattern(person)) as { key: string; state: string; updated_at: number }[])
    .filter((d) => d.key.endsWith(`${SEP}${person.user}`) && d.key.startsWith(`${person.channel}${SEP}`));
  const roles = db.prepare('SELECT role, name FROM user_roles WHERE channel = ? AND user_id = ?').all(person.channel, person.user) as { role: string; name: string }[];
  return {
    ...person, pseudonym,
    questions: questions.map((q) => ({ ...q, at: new Date(q.at).toISOString() })),
    dialogs: dialogs.map((d) => ({ chat: d.key.split(SEP)[1], updatedAt: new Date(d.updated_at).toISOString(), state: JSON.parse(d.state) as unknown })),
    roles,
  };
}

/** Deletes everything stored about one person (their right to erasure); returns how many rows went. */
export function deletePerson(db: Db, person: PersonRef): { questions: number; dialogs: number; roles: number } {
  return db.transaction(() => {
    const keys = exportPerson(db, person, '').dialogs.map((d) => [person.channel, d.chat, person.user].join(SEP));
    const dropState = db.prepare('DELETE FROM dialog_states WHERE key = ?');
    return {
      questions: db.prepare('DELETE FROM question_log WHERE channel = ? AND user = ?').run(person.channel, person.user).changes,
      dialogs: keys.reduce((n, k) => n + dropState.run(k).changes, 0),
      roles: db.prepare('DELETE FROM user_roles WHERE channel = ? AND user_id = ?').run(person.channel, person.user).changes,
    };
  })();
}
