// Proves the Argo judge decides measurements the way Argo Rollouts' analysis controller does, using Argo's own
// webmetric provider and condition evaluation against a loopback JSON endpoint.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argoJudge, hasPeer, type ArgoMeasurement } from '../peers/index.js';

// What a provider endpoint might answer, per path.
const answers: Record<string, { status: number; body: string; type?: string }> = {
  '/healthy': { status: 200, body: JSON.stringify({ phase: 'Successful', value: 0, pass: true }) },
  '/errors': { status: 200, body: JSON.stringify({ phase: 'Failed', value: 12, pass: false }) },
  '/some': { status: 200, body: JSON.stringify({ phase: 'Inconclusive', value: 1, pass: false }) },
  '/unavailable': { status: 503, body: JSON.stringify({ error: 'cloudwatch throttled' }) },
  '/text': { status: 200, body: 'everything is on fire', type: 'text/plain' },
  '/no-value': { status: 200, body: JSON.stringify({ phase: 'Successful' }) },
};

const metric = `
name: target-5xx
successCondition: result == 0
failureCondition: result > 5
provider:
  web:
    url: http://placeholder.invalid/
    jsonPath: "{$.value}"
    timeoutSeconds: 5
`;

describe.skipIf(!hasPeer('argo'))('Argo Rollouts judge', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        const answer = answers[(req.url ?? '').split('?')[0] ?? ''] ?? { status: 404, body: '{}' };
        res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each<{ name: string; path: string; expected: Partial<ArgoMeasurement> }>([
    {
      name: 'value 0 meets the success condition → Successful',
      path: '/healthy',
      expected: { phase: 'Successful', value: '0' },
    },
    {
      name: 'value 12 meets the failure condition → Failed',
      path: '/errors',
      expected: { phase: 'Failed', value: '12' },
    },
    {
      name: 'value 1 meets neither condition → Inconclusive',
      path: '/some',
      expected: { phase: 'Inconclusive', value: '1' },
    },
    {
      name: 'a non-2xx answer → Error, whatever the body says',
      path: '/unavailable',
      expected: { phase: 'Error', value: '', message: 'received non 2xx response code: 503' },
    },
    {
      name: 'a 2xx answer that is not JSON → Successful without evaluating the conditions',
      path: '/text',
      expected: { phase: 'Successful', value: 'everything is on fire' },
    },
    {
      name: 'a JSON answer without the jsonPath key → Error',
      path: '/no-value',
      expected: { phase: 'Error', value: '' },
    },
  ])('$name', async ({ path, expected }) => {
    const m = await argoJudge(metric, { url: `${base}${path}` });
    expect(m).toMatchObject(expected);
    if (expected.phase === 'Error' && path === '/no-value') expect(m.message).toContain('value is not found');
  });

  it('evaluates conditions over a boolean field, and sends POST jsonBody with templated headers', async () => {
    const m = await argoJudge(
      `
name: pass
successCondition: result == true
provider:
  web:
    method: POST
    url: ${base}/some
    headers:
      - key: Authorization
        value: Bearer s3cret
    jsonBody:
      targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef
    jsonPath: "{$.pass}"
`,
    );
    // Without a failure condition, a success condition that does not hold is a failure.
    expect(m).toMatchObject({ phase: 'Failed', value: 'false' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/some', auth: 'Bearer s3cret' });
    expect(JSON.parse(seen.at(-1)?.body ?? '{}')).toEqual({
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef',
    });
  });
});
