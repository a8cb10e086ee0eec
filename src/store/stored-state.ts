/** A stored dialog state, or undefined when missing or unreadable: a bad row means no dialog, not a crash. */
export function parseStoredState<S>(raw: string | undefined): S | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as S;
  } catch {
    return undefined;
  }
}
