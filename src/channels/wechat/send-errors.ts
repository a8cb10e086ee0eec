import { SendError, type SendFailure } from '../../core/ports.js';

export type WechatSendFailure = 'not_logged_in' | 'disconnected' | 'room_not_found' | 'frequency_limited' | 'failed';

/**
 * How the broadcaster should treat each failure: refused before anything left ("unavailable":
 * queued until the account is back; "blocked": queued again after a long rest), never
 * deliverable ("permanent"), or unknown ("transient": WeChat has no delivery id, so the
 * broadcaster reports it as uncertain rather than risk a double post).
 */
const FAILURE_KIND: Record<WechatSendFailure, SendFailure> = {
  not_logged_in: 'unavailable', disconnected: 'unavailable', frequency_limited: 'blocked', room_not_found: 'permanent', failed: 'transient',
};

/** A send WeChat refused; `reason` says why, `kind` what a broadcaster should do about it. */
export class WechatSendError extends SendError {
  constructor(readonly reason: WechatSendFailure, message: string) {
    super(FAILURE_KIND[reason], message);
  }
}

export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return typeof e === 'object' && e !== null ? JSON.stringify(e) : String(e);
  // fetch says only "fetch failed"; the reason (ENOTFOUND, ECONNREFUSED…) is its cause.
  const cause = e.cause instanceof Error ? `: ${(e.cause as NodeJS.ErrnoException).code ?? e.cause.message}` : '';
  return `${e.message}${cause}`;
}

export function isFrequencyLimit(e: unknown): boolean {
  return /频繁|frequen|rate.?limit|too many/i.test(errorText(e));
}

const GRPC_UNAVAILABLE = 14;
const GRPC_UNAUTHENTICATED = 16;

/**
 * True when a puppet service call provably never reached the service: no connection could be
 * made (grpc-js: "14 UNAVAILABLE: No connection established … ECONNREFUSED"), the service's
 * token check turned it away, or the client was between connections. A "Connection dropped"
 * during the call is not one of these: the message may have gone out.
 */
export function refusedBeforeLeaving(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  const text = errorText(e);
  if (code === GRPC_UNAVAILABLE) return /No connection established|ECONNREFUSED|connect E[A-Z]+|Name resolution failed|getaddrinfo/i.test(text);
  if (code === GRPC_UNAUTHENTICATED) return true;
  return /^(NO CLIENT|no grpc manager)$/i.test(text);
}
