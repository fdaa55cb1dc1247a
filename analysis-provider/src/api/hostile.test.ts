import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryMetrics, InMemoryTargetHealth, aFixedClock, emptyCatalog } from '@draingate/core/testing';
import { LB_ARN, TOKEN, startTestApp } from '../testing/harness.js';
import type { TestApp } from '../testing/harness.js';
import { CHECK_NAMES } from './schemas.js';

const STATUSES = new Set([200, 400, 403, 404, 413, 415, 429, 503]);

/** Every answer is a JSON verdict or a JSON error with a code and a message, never a stack or an echo of the token. */
function expectWellFormed(res: { status: number; body: unknown }): void {
  expect(STATUSES.has(res.status), `status ${res.status}: ${JSON.stringify(res.body)}`).toBe(true);
  expect(typeof res.body).toBe('object');
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/\bat [^ ]+ \(?[^ ]+:\d+:\d+\)?/);
  expect(text).not.toContain(TOKEN);
  if (res.status !== 200) {
    const error = (res.body as { error: { code: string; message: string } }).error;
    expect(error.code).toMatch(/^[a-z-]+$/);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('hostile input', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      clock: aFixedClock('2026-01-01T12:00:30Z'),
      metrics: new InMemoryMetrics(),
      targetHealth: new InMemoryTargetHealth(),
      catalog: emptyCatalog,
    });
  });
  afterAll(async () => app.close());

  it('fuzzed query strings: always a well-formed answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CHECK_NAMES),
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.string(),
              fc.constantFrom(
                'loadBalancerArn',
                'windowMinutes',
                'maxRate',
                'targetGroupArns',
                'selector',
                'namespace',
                '__proto__',
                'constructor',
              ),
            ),
            fc.oneof(fc.string(), fc.constant(LB_ARN), fc.double().map(String)),
          ),
          { maxLength: 6 },
        ),
        async (check, pairs) => {
          const query = pairs
            .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
            .join('&');
          expectWellFormed(await app.get(`/v1/checks/${check}?${query}`));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fuzzed JSON bodies: always a well-formed answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHECK_NAMES), fc.jsonValue(), async (check, body) => {
        expectWellFormed(await app.post(`/v1/checks/${check}`, JSON.stringify(body)));
      }),
      { numRuns: 150 },
    );
  });

  it('fuzzed objects with real field names and wrong values: 400 naming one of the fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { loadBalancerArn: fc.anything(), windowMinutes: fc.anything(), maxRate: fc.anything() },
          { requiredKeys: [] },
        ),
        async (body) => {
          const res = await app.post('/v1/checks/elb-5xx', JSON.stringify(body) ?? '{}');
          expectWellFormed(res);
          if (res.status === 400)
            expect(['loadBalancerArn', 'windowMinutes', 'maxRate', '(body)']).toContain(
              (res.body as { error: { field: string } }).error.field,
            );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('huge and deeply nested JSON → 413 or 400, and the server stays up', async () => {
    const nested = `{"loadBalancerArn":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`;
    const deep = await app.post('/v1/checks/elb-5xx', nested);
    expect(deep.status).toBe(400);
    expect((deep.body as { error: { field: string } }).error.field).toBe('loadBalancerArn');
    expect((await app.post('/v1/checks/elb-5xx', `[${'1,'.repeat(50_000)}1]`)).status).toBe(413);
    expect((await app.get('/healthz', {})).status).toBe(200);
  });

  it('header injection: CR/LF in a header is refused by the HTTP parser; a request id is never reflected unsafely', async () => {
    const port = Number(new URL(app.url).port);
    const injected = await rawRequest(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rSet-Cookie: evil=1\r\n\r\n`,
    );
    expect(injected).toMatch(/^HTTP\/1\.1 400/);
    const reflected = await rawRequest(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: <script>\r\nConnection: close\r\n\r\n`,
    );
    expect(reflected).toMatch(/^HTTP\/1\.1 200/);
    expect(reflected).not.toContain('<script>');
    expect(reflected.toLowerCase()).not.toContain('set-cookie');
  });

  it('a token in the query string is not a credential', async () => {
    const res = await app.get(`/v1/checks/elb-5xx?loadBalancerArn=${LB_ARN}&access_token=${TOKEN}`, {});
    expect(res.status).toBe(401);
  });
});
