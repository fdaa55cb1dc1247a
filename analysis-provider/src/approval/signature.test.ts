import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from './signature.js';

const secret = Buffer.from("It's a Secret to Everybody");
const body = Buffer.from('Hello, World!');

describe('verifyWebhookSignature', () => {
  it("GitHub's documented example verifies", () => {
    // From GitHub's "Validating webhook deliveries": this secret and payload give this signature.
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signWebhookBody(body, secret)).toBe(header);
    expect(verifyWebhookSignature(body, header, secret)).toBe('valid');
  });

  it.each([
    { name: 'no header → missing', header: undefined, expected: 'missing' },
    { name: 'an empty header → missing', header: '', expected: 'missing' },
    {
      name: 'the old sha1 form → malformed',
      header: 'sha1=0123456789abcdef0123456789abcdef01234567',
      expected: 'malformed',
    },
    { name: 'a short digest → malformed', header: 'sha256=abcd', expected: 'malformed' },
    { name: 'not hex → malformed', header: `sha256=${'z'.repeat(64)}`, expected: 'malformed' },
    { name: 'another digest → invalid', header: `sha256=${'0'.repeat(64)}`, expected: 'invalid' },
  ])('$name', ({ header, expected }) => {
    expect(verifyWebhookSignature(body, header, secret)).toBe(expected);
  });

  it('a changed body, or another secret, no longer verifies', () => {
    const header = signWebhookBody(body, secret);
    expect(verifyWebhookSignature(Buffer.from('Hello, World?'), header, secret)).toBe('invalid');
    expect(verifyWebhookSignature(body, header, Buffer.from('another secret'))).toBe('invalid');
  });

  it('upper-case hex verifies too', () => {
    const header = signWebhookBody(body, secret).toUpperCase().replace('SHA256=', 'sha256=');
    expect(verifyWebhookSignature(body, header, secret)).toBe('valid');
  });
});
