import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/** Feishu re-pushes for hours, but a signed request older than this is a replay. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export interface SignedRequest {
  timestamp?: string;
  nonce?: string;
  signature?: string;
  rawBody: Buffer;
}

export type SignatureVerdict = 'ok' | 'missing' | 'stale' | 'mismatch';

/**
 * Checks `x-lark-signature` = sha256(timestamp + nonce + encryptKey + raw body) in constant time,
 * over the bytes that arrived (the SDK hashes a re-serialised body, which need not match), and
 * rejects timestamps (seconds) more than five minutes away from now in either direction.
 */
export function verifySignature(req: SignedRequest, encryptKey: string, now: number): SignatureVerdict {
  const { timestamp, nonce, signature } = req;
  if (!timestamp || !nonce || !signature) return 'missing';
  const seconds = Number(timestamp);
  if (!Number.isFinite(seconds) || Math.abs(now - seconds * 1000) > SIGNATURE_WINDOW_MS) return 'stale';
  const expected = createHash('sha256').update(timestamp + nonce + encryptKey).update(req.rawBody).digest();
  const given = Buffer.from(signature, 'hex');
  // A wrong length cannot match; comparing only equal lengths keeps timingSafeEqual from throwing.
  if (given.length !== expected.length || !/^[0-9a-f]+$/i.test(signature)) return 'mismatch';
  return timingSafeEqual(given, expected) ? 'ok' : 'mismatch';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The `{"encrypt": …}` body: AES-256-CBC, key sha256(encryptKey), IV the first 16 bytes. Throws when it is not ours.
 * A wrong key still passes the padding check about once in 256 tries, so the plain text must also be UTF-8 JSON.
 */
export function decryptBody(encrypt: string, encryptKey: string): string {
  const data = Buffer.from(encrypt, 'base64');
  if (data.length < 32) throw new Error('encrypted body too short');
  const key = createHash('sha256').update(encryptKey).digest();
  const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
  const text = strictUtf8.decode(Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]));
  if (!text.trimStart().startsWith('{')) throw new Error('decrypted body is not a JSON object');
  return text;
}
