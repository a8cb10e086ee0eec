// The webhook's own checks, over the raw bytes: what the SDK's dispatcher does not do.
import { describe, expect, it } from 'vitest';
import { decryptBody, verifySignature } from '../../../src/channels/feishu/signature.js';
import { ENCRYPT_KEY, encrypt, signatureHeaders } from './events.js';

const NOW = 1_780_000_000_000;
const raw = '{"encrypt":"abc"}';
const signed = (o: { timestamp?: number; body?: string; key?: string } = {}) => {
  const h = signatureHeaders(raw, { timestamp: o.timestamp ?? NOW / 1000, key: o.key });
  return {
    timestamp: h['x-lark-request-timestamp'], nonce: h['x-lark-request-nonce'], signature: h['x-lark-signature'],
    rawBody: Buffer.from(o.body ?? raw),
  };
};

describe('verifySignature', () => {
  it('accepts the signature over the exact bytes within five minutes either way', () => {
    expect(verifySignature(signed(), ENCRYPT_KEY, NOW)).toBe('ok');
    expect(verifySignature(signed({ timestamp: NOW / 1000 - 299 }), ENCRYPT_KEY, NOW)).toBe('ok');
    expect(verifySignature(signed({ timestamp: NOW / 1000 + 299 }), ENCRYPT_KEY, NOW)).toBe('ok');
  });

  it('refuses stale or future timestamps, other bytes, another key and missing headers', () => {
    expect(verifySignature(signed({ timestamp: NOW / 1000 - 301 }), ENCRYPT_KEY, NOW)).toBe('stale');
    expect(verifySignature(signed({ timestamp: NOW / 1000 + 301 }), ENCRYPT_KEY, NOW)).toBe('stale');
    expect(verifySignature(signed({ body: '{"encrypt": "abc"}' }), ENCRYPT_KEY, NOW)).toBe('mismatch');
    expect(verifySignature(signed({ key: 'other' }), ENCRYPT_KEY, NOW)).toBe('mismatch');
    expect(verifySignature({ ...signed(), signature: 'abcd' }, ENCRYPT_KEY, NOW)).toBe('mismatch');
    expect(verifySignature({ ...signed(), signature: 'z'.repeat(64) }, ENCRYPT_KEY, NOW)).toBe('mismatch');
    expect(verifySignature({ ...signed(), nonce: undefined }, ENCRYPT_KEY, NOW)).toBe('missing');
    expect(verifySignature({ ...signed(), timestamp: 'soon' }, ENCRYPT_KEY, NOW)).toBe('stale');
  });
});

describe('decryptBody', () => {
  it('reads what Feishu encrypts, and throws on anything else', () => {
    const body = { type: 'url_verification', challenge: '挑战' };
    expect(JSON.parse(decryptBody(encrypt(body).encrypt, ENCRYPT_KEY))).toEqual(body);
    expect(() => decryptBody(encrypt(body, 'other-key').encrypt, ENCRYPT_KEY)).toThrow();
    expect(() => decryptBody('c2hvcnQ=', ENCRYPT_KEY)).toThrow();
  });
});
