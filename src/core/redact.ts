/** Shorter values are not treated as secrets: replacing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 8;

/**
 * A function that replaces every occurrence of the given secrets in a text. Libraries echo
 * credentials in their error messages (wechaty-puppet-service: `Invalid Wechaty TOKEN "…"`),
 * so anything headed for a log line or a staff alert goes through this first.
 */
export function secretRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const unique = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))]
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (!unique.length) return (text) => text;
  const pattern = new RegExp(unique.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, '[redacted]');
}

/** The environment variables whose values are secrets. */
export const SECRET_ENV = ['WECHATY_PUPPET_SERVICE_TOKEN', 'FEISHU_APP_SECRET', 'FEISHU_ENCRYPT_KEY', 'FEISHU_VERIFICATION_TOKEN', 'ADMIN_TOKEN'] as const;
