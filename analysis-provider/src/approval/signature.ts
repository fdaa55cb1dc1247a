import { createHmac, timingSafeEqual } from 'node:crypto';

/** The outcome of checking `X-Hub-Signature-256`. */
export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'invalid';

const HEADER = /^sha256=([0-9a-f]{64})$/i;

/** `sha256=<hex>`: the value GitHub sends in `X-Hub-Signature-256` for `body` signed with `secret`. */
export function signWebhookBody(body: Uint8Array, secret: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks a webhook delivery's `X-Hub-Signature-256` against the HMAC-SHA256 of the raw body with the webhook
 * secret, comparing the two 32-byte digests in constant time. `body` must be the bytes as received: parsing
 * and re-serializing JSON changes them.
 */
export function verifyWebhookSignature(
  body: Uint8Array,
  header: string | undefined,
  secret: Uint8Array,
): SignatureCheck {
  if (header === undefined || header === '') return 'missing';
  const match = HEADER.exec(header.trim());
  if (!match?.[1]) return 'malformed';
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}
