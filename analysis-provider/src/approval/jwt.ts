import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * The JSON Web Token a GitHub App authenticates with: RS256 over the app's private key, `iss` the app id (a
 * number when it is one) or client id, `iat` 60 s in the past (GitHub's allowance for clock drift) and `exp`
 * 9 minutes ahead (GitHub refuses more than 10).
 */
export function createAppJwt(appId: string, privateKey: KeyObject, now: Date): string {
  const seconds = Math.floor(now.getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      iat: seconds - 60,
      exp: seconds + 540,
      iss: /^\d+$/.test(appId) ? Number(appId) : appId,
    }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}
