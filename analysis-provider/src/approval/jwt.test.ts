import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appKeyPair } from '../testing/github.js';
import { createAppJwt } from './jwt.js';

describe('createAppJwt', () => {
  const now = new Date('2026-01-01T12:00:00.900Z');

  it('is an RS256 JWT signed with the app key, iat 60 s back and exp under 10 minutes ahead', () => {
    const { privateKey, publicKey } = appKeyPair();
    const jwt = createAppJwt('12345', privateKey, now);
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, number>;
    const seconds = Math.floor(now.getTime() / 1000);
    expect(claims).toEqual({ iat: seconds - 60, exp: seconds + 540, iss: 12345 });
    expect(claims['exp']! - seconds).toBeLessThanOrEqual(600);
    expect(
      verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  it('a client id stays a string issuer', () => {
    const jwt = createAppJwt('Iv23liAbCdEf', appKeyPair().privateKey, now);
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as {
      iss: unknown;
    };
    expect(payload.iss).toBe('Iv23liAbCdEf');
  });
});
