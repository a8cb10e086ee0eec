/**
 * Secrets out of every log line, as pino's `redact` paths did (`token`, `*.appSecret`,
 * `*.headers.authorization` …), at a fraction of the cost: with 24 redact paths pino spent about
 * 20 µs on each request's two lines; this formatter looks at the keys of the line and of its
 * objects, and copies only a line that holds a secret. Objects that are neither plain nor errors
 * (a raw request, a socket) are left to their serializers, which never print headers.
 */
export const CENSOR = '[Redacted]';

/** Secret at the top of a line, or one level down (`{ config: { password } }`). */
const SECRET_KEYS = ['token', 'secret', 'appSecret', 'encryptKey', 'verificationToken', 'password'];
/** Secret one level down only: environment variables logged as part of a configuration. */
const SECRET_ENV_KEYS = ['ADMIN_TOKEN', 'FEISHU_APP_SECRET', 'FEISHU_ENCRYPT_KEY', 'FEISHU_VERIFICATION_TOKEN', 'WECHATY_PUPPET_SERVICE_TOKEN'];
const TOP = new Set(SECRET_KEYS);
const NESTED = [...SECRET_KEYS, ...SECRET_ENV_KEYS];
const HEADER_KEYS = ['authorization', 'cookie'];
const REQUEST_HEADER_KEYS = [...HEADER_KEYS, 'x-lark-signature'];

type Line = Record<string, unknown>;

function isRedactable(value: unknown): value is Line {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof Error) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function hasAny(obj: object, keys: readonly string[]): boolean {
  for (const k of keys) if (k in obj) return true;
  return false;
}

/** headers with the credential ones censored; the same object when there are none. */
function censorHeaders(headers: unknown, keys: readonly string[]): unknown {
  if (!isRedactable(headers) || !hasAny(headers, keys)) return headers;
  const copy: Line = { ...headers };
  for (const k of keys) if (k in copy) copy[k] = CENSOR;
  return copy;
}

/** An object of the line (`req`, `err`, `config` …) with its secrets censored, or itself. */
function redactObject(key: string, value: Line): Line {
  const headerKeys = key === 'req' ? REQUEST_HEADER_KEYS : HEADER_KEYS;
  const headers = 'headers' in value ? censorHeaders(value.headers, headerKeys) : undefined;
  const secrets = hasAny(value, NESTED);
  if (!secrets && headers === value.headers) return value;
  // An error stays an error of its class (message, stack, cause included) for pino's serializer.
  const copy: Line = value instanceof Error ? Object.create(Object.getPrototypeOf(value) as object, Object.getOwnPropertyDescriptors(value)) as Line : { ...value };
  if (headers !== value.headers) copy.headers = headers;
  for (const k of NESTED) if (k in copy) copy[k] = CENSOR;
  return copy;
}

/** pino's `formatters.log`: the line's object with every secret censored (the caller's object untouched). */
export function redactSecrets(line: Line): Line {
  let out: Line | undefined;
  for (const key in line) {
    if (!Object.prototype.hasOwnProperty.call(line, key)) continue;
    const value = line[key];
    let next = value;
    if (TOP.has(key)) next = value === undefined ? value : CENSOR;
    else if (isRedactable(value)) {
      next = redactObject(key, value);
      if (key === 'headers') next = censorHeaders(next, HEADER_KEYS);
    }
    if (next !== value) (out ??= { ...line })[key] = next;
  }
  return out ?? line;
}
