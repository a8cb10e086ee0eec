import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import type { Db } from '../store/database.js';

export interface BackupResult {
  file: string;
  pages: number;
  bytes: number;
}

/**
 * A consistent copy of a live database with SQLite's online backup API: the service keeps
 * answering (WAL readers do not block its writer). After the first step every remaining page is
 * copied in one step, so a backup under constant writes finishes instead of restarting after
 * each of them. Written to a temporary name and renamed: a crash never leaves half a backup
 * under the name asked for.
 */
export async function backupDatabase(db: Db, file: string): Promise<BackupResult> {
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  let pages = 0;
  try {
    await db.backup(partial, {
      progress: ({ totalPages }) => {
        pages = totalPages;
        return totalPages;
      },
    });
    const problem = integrityProblem(partial);
    if (problem) throw new Error(`the copy failed its integrity check: ${problem}`);
    renameSync(partial, file);
  } finally {
    if (existsSync(partial)) rmSync(partial, { force: true });
  }
  const copy = new Database(file, { readonly: true });
  try {
    const pageSize = copy.pragma('page_size', { simple: true }) as number;
    const count = copy.pragma('page_count', { simple: true }) as number;
    return { file, pages: pages || count, bytes: pageSize * count };
  } finally {
    copy.close();
  }
}

/** undefined when SQLite finds the file sound; its first complaint otherwise. */
export function integrityProblem(file: string): string | undefined {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true }) as string;
    return result === 'ok' ? undefined : result;
  } finally {
    db.close();
  }
}
