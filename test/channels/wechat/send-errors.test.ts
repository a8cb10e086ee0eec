// Which failed sends provably never left the service (queued for after the reconnect) and which
// may have arrived (uncertain): the error shapes are those grpc-js and the puppet client produce.
import { describe, expect, it } from 'vitest';
import { refusedBeforeLeaving, WechatSendError } from '../../../src/channels/wechat/send-errors.js';

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

describe('a failed WeChat send', () => {
  it('never left when no connection could be made, the token was refused, or the client was between connections', () => {
    expect(refusedBeforeLeaving(grpcError(14, 'UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:8788. Resolution note: '))).toBe(true);
    expect(refusedBeforeLeaving(grpcError(14, 'UNAVAILABLE: Name resolution failed for target dns:gateway.example:8788'))).toBe(true);
    expect(refusedBeforeLeaving(grpcError(16, 'UNAUTHENTICATED: Invalid Wechaty TOKEN "[redacted]"'))).toBe(true);
    expect(refusedBeforeLeaving(new Error('NO CLIENT'))).toBe(true);
    expect(refusedBeforeLeaving(new Error('no grpc manager'))).toBe(true);
  });

  it('may have arrived when the connection dropped during the call or the call timed out', () => {
    expect(refusedBeforeLeaving(grpcError(14, 'UNAVAILABLE: Connection dropped'))).toBe(false);
    expect(refusedBeforeLeaving(grpcError(4, 'DEADLINE_EXCEEDED: Deadline exceeded'))).toBe(false);
    expect(refusedBeforeLeaving(grpcError(1, 'CANCELLED: Call cancelled'))).toBe(false);
    expect(refusedBeforeLeaving(new Error('socket hang up'))).toBe(false);
  });

  it('tells the broadcaster what to do: wait for the account, rest, give up, or report as uncertain', () => {
    expect(new WechatSendError('not_logged_in', 'x').kind).toBe('unavailable');
    expect(new WechatSendError('disconnected', 'x').kind).toBe('unavailable');
    expect(new WechatSendError('frequency_limited', 'x').kind).toBe('blocked');
    expect(new WechatSendError('room_not_found', 'x').kind).toBe('permanent');
    expect(new WechatSendError('failed', 'x').kind).toBe('transient');
  });
});
