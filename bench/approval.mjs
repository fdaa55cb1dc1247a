// Benchmark (issue 21): the approval gate on three replicas sharing their decisions as Leases.
//   npm run build --silent && node_modules/node/bin/node bench/approval.mjs
// Starts the test peers (etcd + kube-apiserver, moto_server; built or reused like `npm run peers`), three
// provider processes (dist/main.js) behind one round-robin address, and a minimal GitHub stand-in that issues
// installation tokens and records reviews. Sends DELIVERIES (default 500) protection-rule deliveries at once,
// one per deployment, then the same deliveries again (GitHub redeliveries: same body, same delivery id).
// Reports: every deployment answered exactly once; decision latency p50/p99 (delivery sent → review received);
// webhook answer latency; Kubernetes API calls per decision (the replicas' own counters, sweeps included).
// Writes bench/results/approval.md.
import { spawn } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { registerHooks } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

// The peers' setup is TypeScript (with parameter properties) importing `./x.js`: run with Node's TypeScript
// transform, and resolve those imports to the `.ts` files.
if (!process.execArgv.includes('--experimental-transform-types')) {
  const again = spawn(
    process.execPath,
    ['--experimental-transform-types', '--no-warnings', ...process.argv.slice(1)],
    {
      stdio: 'inherit',
    },
  );
  again.on('exit', (code) => process.exit(code ?? 1));
  await new Promise(() => undefined);
}
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && specifier.endsWith('.js'))
        return next(`${specifier.slice(0, -3)}.ts`, context);
      throw error;
    }
  },
});
const { ensureToolchain } = await import('../test/setup/toolchain.ts');
const { startPeers } = await import('../test/setup/start-peers.ts');

const root = join(import.meta.dirname, '..');
const count = Number(process.env.DELIVERIES ?? 500);
const SECRET = 'bench-webhook-secret-0123456789abcdef';
const REPLICAS = 3;

const tc = await ensureToolchain({ only: ['aws', 'kube'] });
if (!tc.kubeApiserver || !tc.motoServer) throw new Error(`peers missing: ${JSON.stringify(tc.missing)}`);
const peers = await startPeers(tc);
const children = [];
const servers = [];
const stopAll = async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const server of servers) server.close();
  await peers.stop();
};
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  const { kube, aws } = peers.info;
  const dir = mkdtempSync(join(tmpdir(), 'draingate-bench-approval-'));
  const namespace = `dg-bench-${Date.now().toString(36)}`;
  const admin = new KubeConfig();
  admin.loadFromFile(kube.kubeconfig);
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });

  const elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  });
  const subnets = await defaultSubnets(aws);
  const lb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'bench-gate',
      Type: 'application',
      Scheme: 'internal',
      Subnets: subnets,
    }),
  );
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';

  // The GitHub stand-in: tokens, reviews (recorded with their arrival time), status comments.
  const reviews = new Map();
  let comments = 0;
  const github = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      if (req.url?.endsWith('/access_tokens')) {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            token: `ghs_${randomUUID()}`,
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          }),
        );
        return;
      }
      const run = /\/actions\/runs\/(\d+)\/deployment_protection_rule$/.exec(req.url ?? '')?.[1];
      if (run) {
        const body = JSON.parse(Buffer.concat(chunks).toString());
        if (body.state === undefined) comments += 1;
        else reviews.set(run, [...(reviews.get(run) ?? []), { at, state: body.state }]);
        res.writeHead(204).end();
        return;
      }
      res.writeHead(404).end();
    });
  });
  await listen(github);
  servers.push(github);
  const githubUrl = `http://127.0.0.1:${github.address().port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'app.pem'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  writeFileSync(join(dir, 'secret'), SECRET);
  writeFileSync(
    join(dir, 'policy.yaml'),
    `environments:\n  production:\n    observeSeconds: 0\n    onInconclusive: approve\n    checks: [ { check: elb-5xx, loadBalancerArn: "${lbArn}" } ]\n`,
  );

  const ports = [];
  for (let i = 0; i < REPLICAS; i += 1) {
    const port = await freePort();
    ports.push(port);
    const child = spawn(
      process.execPath,
      [
        join(root, 'analysis-provider/dist/main.js'),
        ...['--host', '127.0.0.1', '--port', String(port), '--insecure-no-auth', '--log-level', 'warn'],
        ...['--kube', 'off', '--kubeconfig', kube.kubeconfig, '--aws-region', aws.region],
        ...['--github-app-id', '1', '--github-api-url', githubUrl],
        ...[
          '--github-private-key-file',
          join(dir, 'app.pem'),
          '--github-webhook-secret-file',
          join(dir, 'secret'),
        ],
        ...['--approval-policy', join(dir, 'policy.yaml'), '--approval-state-namespace', namespace],
        ...['--approval-replica-id', `replica-${i}`, '--approval-redrive-minutes', '0'],
      ],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: aws.endpoint,
          AWS_ACCESS_KEY_ID: aws.accessKeyId,
          AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.push(child);
  }
  for (const port of ports) await waitReady(`http://127.0.0.1:${port}`);

  let next = 0;
  const front = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const port = ports[next++ % ports.length];
      const answer = await fetch(`http://127.0.0.1:${port}${req.url}`, {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
        ),
        body: Buffer.concat(chunks),
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await listen(front);
  servers.push(front);
  const frontUrl = `http://127.0.0.1:${front.address().port}/github/webhook`;

  const deliveries = Array.from({ length: count }, (_, i) => aDelivery(githubUrl, 100_000 + i, 900_000 + i));
  const before = await kubeCalls(ports);
  const load = loadavg()[0];
  const sent = new Map();
  const started = performance.now();
  const answers = await Promise.all(
    deliveries.map(async (d) => {
      const t0 = performance.now();
      sent.set(d.run, t0);
      const res = await fetch(frontUrl, { method: 'POST', headers: d.headers, body: d.body });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - t0 };
    }),
  );
  const answeredIn = performance.now() - started;
  while (reviews.size < count && performance.now() - started < 300_000) await sleep(50);
  const allDecidedIn = performance.now() - started;
  // Let every record close and a sweep or two run, so the counters include them.
  await sleep(20_000);
  const afterFirst = await kubeCalls(ports);
  const durations = await kubeDurations(ports);

  const redelivered = await Promise.all(
    deliveries.map(async (d) => {
      const res = await fetch(frontUrl, { method: 'POST', headers: d.headers, body: d.body });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  await sleep(3000);
  const afterSecond = await kubeCalls(ports);

  const once = [...reviews.values()].filter((r) => r.length === 1).length;
  const twice = [...reviews.values()].filter((r) => r.length > 1).length;
  const latency = deliveries
    .map((d) => (reviews.get(String(d.run))?.[0]?.at ?? Number.NaN) - sent.get(d.run))
    .sort((a, b) => a - b);
  const webhook = answers.map((a) => a.ms).sort((a, b) => a - b);
  const statuses = tally(answers.map((a) => a.status));
  const redeliveryStatuses = tally(redelivered);
  const perDecision = diff(afterFirst, before);
  const perRedelivery = diff(afterSecond, afterFirst);
  const total = (calls) => Object.values(calls).reduce((a, b) => a + b, 0);

  const lines = [
    '# Approval gate benchmark (issue 21)',
    '',
    '`npm run build --silent && node_modules/node/bin/node bench/approval.mjs` — three provider processes',
    '(`analysis-provider/dist/main.js`) behind one round-robin address, sharing decisions as Leases in a real',
    'kube-apiserver (the test peers: etcd + kube-apiserver, moto_server for the `elb-5xx` check), and a GitHub',
    'stand-in on loopback. Each delivery is a signed `deployment_protection_rule` for its own deployment',
    '(policy: `observeSeconds: 0`, one `elb-5xx` check, status comments on); all are sent at once. Then the same',
    'deliveries again, as GitHub redelivers them (same body and delivery id).',
    '',
    `Machine: \`nproc\` = ${availableParallelism()}, shared with other builds and test runs (1-min load average at the start: ${load.toFixed(1)}); Node ${process.version}; ${new Date().toISOString().slice(0, 10)}. Peers, replicas, stand-in and load generator all share those cores.`,
    '',
    '| figure | result |',
    '| --- | --- |',
    `| deliveries | ${count} at once, webhook answers: ${fmtTally(statuses)} |`,
    `| reviews | **${once} deployments answered exactly once**, ${twice} more than once, ${count - once - twice} unanswered |`,
    `| decision latency (delivery sent → review at GitHub) | **p50 ${ms(pct(latency, 0.5))}, p99 ${ms(pct(latency, 0.99))}**, max ${ms(latency.at(-1))}; all ${count} decided ${ms(allDecidedIn)} after the first was sent |`,
    `| webhook answer (202 after the record is created) | p50 ${ms(pct(webhook, 0.5))}, p99 ${ms(pct(webhook, 0.99))}; all answered in ${ms(answeredIn)} |`,
    `| Kubernetes API calls per decision | **${(total(perDecision) / count).toFixed(2)}** (${fmtCalls(perDecision, count)}; sweeps every 15 s by each replica included) |`,
    `| mean Kubernetes call duration (the burst included) | ${durations} |`,
    `| status comments posted | ${comments} |`,
    `| the same ${count} again (redeliveries) | ${fmtTally(redeliveryStatuses)}; reviews still ${[...reviews.values()].reduce((a, r) => a + r.length, 0)}; Kubernetes calls ${(total(perRedelivery) / count).toFixed(2)} per redelivery (${fmtCalls(perRedelivery, count)}) |`,
    '',
    'Notes:',
    '',
    '- A decision costs a create (the record, create-if-absent), a replace to fix the decision before posting',
    '  (`posting`) and a replace to close it (`done`); a redelivery costs a create that fails (AlreadyExists) and',
    '  a read. Lease renewals (every third of the lease) add one replace per 10 s of a decision that lasts longer',
    '  (observation); sweeps add one list per replica every 15 s whatever the number of decisions.',
    '- Latency is that of the burst: every decision at once on two shared cores, each with two GitHub calls',
    '  (the status comment and the review) and three Kubernetes writes, the API server and etcd on the same cores.',
    '',
  ];
  writeFileSync(join(root, 'bench/results/approval.md'), `${lines.join('\n')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  await stopAll();
  process.exitCode = once === count && twice === 0 ? 0 : 1;
} catch (error) {
  await stopAll();
  throw error;
}

function aDelivery(githubUrl, run, deployment) {
  const body = JSON.stringify({
    action: 'requested',
    environment: 'production',
    event: 'push',
    deployment_callback_url: `${githubUrl}/repos/shop/web/actions/runs/${run}/deployment_protection_rule`,
    deployment: { id: deployment },
    repository: { id: 1296269, name: 'web', full_name: 'shop/web', owner: { login: 'shop' } },
    installation: { id: 77 },
  });
  return {
    run,
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'deployment_protection_rule',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    },
  };
}

/** Mean duration of each Kubernetes operation over the replicas, from their histograms (ms). */
async function kubeDurations(replicaPorts) {
  const sums = {};
  const counts = {};
  for (const port of replicaPorts) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const m of text.matchAll(
      /draingate_provider_upstream_call_duration_seconds_(sum|count)\{service="kubernetes",operation="(\w+)"\} ([\d.e+-]+)/g,
    )) {
      const into = m[1] === 'sum' ? sums : counts;
      into[m[2]] = (into[m[2]] ?? 0) + Number(m[3]);
    }
  }
  return Object.entries(sums)
    .sort()
    .map(([op, sum]) => `${op} ${ms((sum / (counts[op] || 1)) * 1000)}`)
    .join(', ');
}

async function kubeCalls(replicaPorts) {
  const calls = {};
  for (const port of replicaPorts) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const m of text.matchAll(
      /draingate_provider_upstream_calls_total\{service="kubernetes",operation="(\w+)",outcome="(\w[\w-]*)"\} (\d+)/g,
    )) {
      const key = m[2] === 'ok' ? m[1] : `${m[1]} (${m[2]})`;
      calls[key] = (calls[key] ?? 0) + Number(m[3]);
    }
  }
  return calls;
}

function diff(after, before) {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)])
      .filter(([, v]) => v > 0),
  );
}
function fmtCalls(calls, n) {
  return Object.entries(calls)
    .sort()
    .map(([k, v]) => `${k} ${(v / n).toFixed(2)}`)
    .join(', ');
}
function tally(values) {
  const counts = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
function fmtTally(counts) {
  return Object.entries(counts)
    .map(([k, v]) => `${v} × ${k}`)
    .join(', ');
}
function pct(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
function ms(value) {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}
function sleep(msToWait) {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}
function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}
async function freePort() {
  const server = createServer();
  await listen(server);
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
async function waitReady(base) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const res = await fetch(`${base}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    await sleep(100);
  }
  throw new Error(`${base} never became ready`);
}
async function defaultSubnets(aws) {
  const res = await fetch(aws.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=${aws.accessKeyId}/20260101/${aws.region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=default-for-az&Filter.1.Value.1=true',
  });
  const xml = await res.text();
  return [...xml.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1]).slice(0, 2);
}
