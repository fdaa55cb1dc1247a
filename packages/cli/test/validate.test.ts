import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '@draingate/core';
import { draingate } from './run.js';

const BROKEN = 'examples/reference-002-draining-504/broken.yaml';
const RIGHT = 'examples/all-right/shop.yaml';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'draingate-cli-'));
}

describe('draingate validate, as a process', () => {
  it('exits 0 on the all-right example and prints the summary to stdout', async () => {
    const run = await draingate(['validate', RIGHT]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 load-balanced workload checked in 1 file: 0 errors, 0 warnings, 0 info.');
    expect(run.stderr).toBe('');
  });

  it('exits 1 when findings reach --fail-on, 0 when they do not', async () => {
    expect((await draingate(['validate', BROKEN])).code).toBe(1);
    expect((await draingate(['validate', '--fail-on', 'never', BROKEN])).code).toBe(0);
    expect(
      (await draingate(['validate', '--fail-on', 'warning', 'examples/reference-001-2048/fixed.yaml'])).code,
    ).toBe(1);
    expect((await draingate(['validate', 'examples/reference-001-2048/fixed.yaml'])).code).toBe(0);
  });

  it('reads stdin with -', async () => {
    const { readFileSync } = await import('node:fs');
    const run = await draingate(['validate', '-o', 'json', '-'], {
      input: readFileSync(join(import.meta.dirname, '../../..', BROKEN)),
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: { ruleId: string; location: { file: string } }[] };
    expect(report.findings.map((f) => f.ruleId)).toContain('DG002');
    expect(report.findings[0]?.location.file).toBe('-');
  });

  it('walks directories and prints SARIF that names repository-relative files', async () => {
    const run = await draingate(['validate', '-o', 'sarif', 'examples/reference-002-draining-504']);
    const sarif = JSON.parse(run.stdout) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    expect(sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      'examples/reference-002-draining-504/broken.yaml',
    );
  });

  it('never colours when NO_COLOR is set, even when forced', async () => {
    const run = await draingate(['validate', BROKEN], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(run.stdout).not.toContain('\u001b[');
    const forced = await draingate(['validate', BROKEN], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[');
  });

  const usage = [
    {
      name: 'no paths → usage, exit 2',
      args: ['validate'],
      stderr: /validate needs manifest files, directories or - \(or --kustomize DIR\)/,
    },
    {
      name: 'an unknown flag → exit 2',
      args: ['validate', '--frobnicate', RIGHT],
      stderr: /unknown option '--frobnicate'/,
    },
    {
      name: 'a bad --fail-on → the flag, the value and the choices',
      args: ['validate', '--fail-on', 'sometimes', RIGHT],
      stderr:
        /--fail-on <severity>' argument 'sometimes' is invalid. expected one of error, warning, info, never/,
    },
    {
      name: 'a non-numeric allowance',
      args: ['validate', '--propagation-seconds', 'soon', RIGHT],
      stderr:
        /option '--propagation-seconds <s>' argument 'soon' is invalid\. must be a duration such as 90s, 10m or 1h, got "soon"/,
    },
    {
      name: 'a negative allowance',
      args: ['validate', '--shutdown-seconds', '-5', RIGHT],
      stderr: /shutdown-seconds/,
    },
    {
      name: 'an unknown output format',
      args: ['validate', '-o', 'xml', RIGHT],
      stderr: /expected one of text, json, sarif, markdown, got "xml"/,
    },
    {
      name: 'a missing config file',
      args: ['validate', '--config', 'nope.yaml', RIGHT],
      stderr: /--config nope.yaml: cannot read the file \(no such file\)/,
    },
    {
      name: 'a --default-target-type that is neither ip nor instance',
      args: ['validate', '--default-target-type', 'IP', RIGHT],
      stderr:
        /--default-target-type <type>' argument 'IP' is invalid. expected one of ip, instance, got "IP"/,
    },
    {
      name: 'an --alb-ingress-class Kubernetes would refuse',
      args: ['validate', '--alb-ingress-class', 'Internal_ALB', RIGHT],
      stderr: /--alb-ingress-class <name>' argument 'Internal_ALB' is invalid. must be an IngressClass name/,
    },
    {
      name: 'an empty --default-ingress-class',
      args: ['validate', '--default-ingress-class', '', RIGHT],
      stderr: /--default-ingress-class <name>' argument '' is invalid. must be an IngressClass name/,
    },
    { name: 'an unknown command', args: ['frobnicate'], stderr: /unknown command 'frobnicate'/ },
    { name: 'explain of an unknown rule', args: ['explain', 'DG999'], stderr: /unknown rule "DG999"/ },
  ];
  it.each(usage)('$name', async ({ args, stderr }) => {
    const run = await draingate(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(stderr);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing file is an input error (exit 2) that does not hide the findings of the others', async () => {
    const run = await draingate(['validate', 'does-not-exist.yaml', BROKEN]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'draingate: does-not-exist.yaml:1:1: cannot read: no such file or directory',
    );
    expect(run.stdout).toContain('DG002');
  });

  it('invalid YAML, wrong types and duplicate keys each get file:line and the field, exit 2', async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, 'bad-yaml.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: "unterminated\n',
    );
    writeFileSync(
      join(dir, 'types.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: "three"\n  template:\n    spec:\n      terminationGracePeriodSeconds: -1\n      containers: []\n',
    );
    writeFileSync(
      join(dir, 'dupes.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n',
    );
    const run = await draingate(['validate', '.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad-yaml\.yaml:\d+:\d+: invalid YAML/);
    expect(run.stderr).toContain(
      'types.yaml:6:3: Deployment default/web: spec.replicas: must be an integer, got "three"',
    );
    expect(run.stderr).toContain(
      'types.yaml:9:7: Deployment default/web: spec.template.spec.terminationGracePeriodSeconds: must be at least 0, got -1',
    );
    expect(run.stderr).toMatch(/dupes\.yaml:5:\d+: invalid YAML: duplicated mapping key/);
  });

  it('binary garbage, a YAML alias bomb and a 50 MB file are refused quickly with a message each', async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, 'garbage.yaml'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    );
    const bomb = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: bomb',
      'data:',
      '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ];
    for (let i = 1; i < 10; i++)
      bomb.push(
        `  ${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    writeFileSync(join(dir, 'bomb.yaml'), `${bomb.join('\n')}\n`);
    writeFileSync(join(dir, 'huge.yaml'), Buffer.alloc(50 * 1024 * 1024, 'a'));
    writeFileSync(
      join(dir, 'ok.yaml'),
      (await import('node:fs')).readFileSync(join(import.meta.dirname, '../../..', BROKEN)),
    );
    const run = await draingate(['validate', '.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('garbage.yaml:1:1: not a text file (contains NUL bytes)');
    expect(run.stderr).toMatch(/bomb\.yaml:\d+:\d+: document rejected: too many YAML aliases/);
    expect(run.stderr).toContain(
      'huge.yaml:1:1: file is 50.0 MiB, over the 32.0 MiB limit (--max-file-size)',
    );
    expect(run.stdout).toContain('DG002');
    expect(run.ms).toBeLessThan(20_000);
  });

  it('reads a directory of thousands of files, and reports a dangling link and a directory named like a file', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 3000; i++) {
      writeFileSync(
        join(dir, 'many', `cm-${i}.yaml`),
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n`,
      );
    }
    symlinkSync(join(dir, 'missing-target.yaml'), join(dir, 'dangling.yaml'));
    mkdirSync(join(dir, 'looks-like-a-file.yaml'));
    const run = await draingate(['validate', '-o', 'json', '.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dangling.yaml:1:1: cannot read: no such file or directory');
    const report = JSON.parse(run.stdout) as { summary: { files: number } };
    expect(report.summary.files).toBe(3000);
  });

  it('a config file sets the allowances and rejects bad values with their line', async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, 'app.yaml'),
      (await import('node:fs')).readFileSync(join(import.meta.dirname, '../../..', RIGHT)),
    );
    writeFileSync(join(dir, '.draingate.yaml'), 'propagationSeconds: 40\n');
    const strict = await draingate(['validate', 'app.yaml'], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('L (propagation) = 40 s — propagationSeconds: 40 in .draingate.yaml');
    expect(strict.stdout).toContain('for about 45 s (controller latency 5 s + ALB propagation 40 s)');
    const flag = await draingate(['validate', '--propagation-seconds', '15', 'app.yaml'], { cwd: dir });
    expect(flag.code).toBe(0);
    writeFileSync(
      join(dir, '.draingate.yaml'),
      'shutdownSeconds: 5\npropagationSeconds: soon\nfrobnicate: 1\n',
    );
    const bad = await draingate(['validate', 'app.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'draingate: .draingate.yaml:2:1: propagationSeconds: must be a number of seconds between 0 and 3600, got "soon"',
    );
  });
});

describe('draingate validate with cluster facts', () => {
  const app = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, ports: [{ name: http, containerPort: 8080 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: http }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: { alb.ingress.kubernetes.io/scheme: internet-facing }
spec:
  ingressClassName: internal-alb
  defaultBackend: { service: { name: web, port: { number: 80 } } }
`;

  it('an Ingress of a class the input does not define: a notice, the workload counted as undecided', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'app.yaml'), app);
    const run = await draingate(['validate', 'app.yaml'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'app.yaml:18:1: Ingress shop/web: carries alb.ingress.kubernetes.io/* annotations, but its IngressClass "internal-alb" is not in the input',
    );
    expect(run.stdout).toContain(
      '0 load-balanced workloads checked in 1 file; 1 workload skipped (1 whose load balancer could not be told: see notices)',
    );
  });

  it('declared by flag or in .draingate.yaml, the class is the controller’s and the workload is judged', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'app.yaml'), app);
    const flag = await draingate(['validate', '--alb-ingress-class', 'internal-alb', 'app.yaml'], {
      cwd: dir,
    });
    expect(flag.stdout).toContain('1 load-balanced workload checked in 1 file');
    expect(flag.code).toBe(1);
    writeFileSync(join(dir, '.draingate.yaml'), 'cluster:\n  albIngressClasses: [internal-alb]\n');
    const file = await draingate(['validate', '-o', 'json', 'app.yaml'], { cwd: dir });
    expect(JSON.parse(file.stdout).summary).toMatchObject({
      workloads: 1,
      unresolvedWorkloads: 0,
      notices: 0,
    });
    writeFileSync(join(dir, '.draingate.yaml'), 'cluster:\n  defaultTargetType: IP\n');
    const bad = await draingate(['validate', 'app.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'draingate: .draingate.yaml:2:22: cluster.defaultTargetType: must be ip or instance, got "IP"',
    );
  });
});

describe('draingate rules, explain and help', () => {
  it('lists every rule', async () => {
    const run = await draingate(['rules']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(RULES.length);
  });

  it('explains a rule by id or slug', async () => {
    const run = await draingate(['explain', 'grace-period-too-short']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('DG004 grace-period-too-short (warning)');
  });

  it.each([['--help'], ['validate', '--help'], ['rules', '--help'], ['explain', '--help']])(
    '%s prints usage and exits 0',
    async (...args) => {
      const run = await draingate(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Usage: draingate/);
    },
  );

  it('with no arguments prints usage and exits 2', async () => {
    const run = await draingate([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Usage: draingate');
  });
});

describe('draingate in a pipeline', () => {
  it('stops quietly when the reader closes the pipe early (EPIPE)', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, REPO } = await import('./run.js');
    const child = spawn(
      process.execPath,
      [BIN, 'simulate', '--fix', '-o', 'json', 'examples/reference-002-draining-504/broken.yaml'],
      { cwd: REPO },
    );
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(Buffer.concat(stderr).toString()).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});

describe('draingate validate on a repository as it is laid out', () => {
  it('judges two environments apart and lists skipped files as notices in the JSON report (exit 1)', async () => {
    const run = await draingate([
      'validate',
      '-o',
      'json',
      'packages/core/src/manifest/fixtures/layouts/two-environments',
      'packages/core/src/manifest/fixtures/layouts/kustomize',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      findings: { ruleId: string; location: { file: string; line: number } }[];
      notices: { code: string; message: string }[];
    };
    expect(
      report.findings
        .filter((f) => f.ruleId === 'DG001' || f.ruleId === 'DG002')
        .map((f) => `${f.ruleId} ${f.location.file}:${f.location.line}`),
    ).toEqual([
      'DG002 packages/core/src/manifest/fixtures/layouts/two-environments/k8s/prod/app.yaml:29',
      'DG001 packages/core/src/manifest/fixtures/layouts/two-environments/k8s/staging/app.yaml:19',
      'DG001 packages/core/src/manifest/fixtures/layouts/kustomize/base/app.yaml:19',
    ]);
    // One where the two layouts meet (both define Deployment shop/web), one inside two-environments/k8s.
    expect(report.notices.map((n) => n.code).sort()).toEqual([
      'environments',
      'environments',
      'kustomize-patch',
      'kustomize-patch',
      'not-kubernetes',
      'not-kubernetes',
      'not-kubernetes',
    ]);
  });

  it('says that nothing was read from an empty standard input, and exits 2', async () => {
    const run = await draingate(['validate', '-'], { input: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'draingate: -:1:1: nothing was read: standard input is empty (was the command before the pipe empty or did it fail?)\n',
    );
  });

  it('reads --config from an absolute path', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'draingate.yaml'), 'failOn: never\n');
    const run = await draingate(['validate', '--config', join(dir, 'draingate.yaml'), BROKEN]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('draingate validate --kustomize', () => {
  const LAYOUT = 'packages/core/src/manifest/fixtures/layouts/kustomize';

  it('renders each overlay with kubectl kustomize and judges each as its own environment', async () => {
    // kubectl is on PATH here; kustomize may not be: the first of the two found renders.
    const run = await draingate(['validate', '-o', 'json', '--kustomize', LAYOUT]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      summary: { files: number; workloads: number };
      findings: { ruleId: string; location: { file: string; line: number } }[];
    };
    expect(report.summary).toMatchObject({ files: 2, workloads: 2 });
    // The prod overlay patches in a preStop sleep; staging does not.
    expect(report.findings.filter((f) => f.ruleId === 'DG001').map((f) => f.location.file)).toEqual([
      `${LAYOUT}/overlays/staging (kustomize build)`,
    ]);
  });

  it('says so when neither kustomize nor kubectl is on PATH, and exits 2', async () => {
    const run = await draingate(['validate', '--kustomize', LAYOUT], { env: { PATH: '/nonexistent' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'draingate: --kustomize needs a kustomize or kubectl binary on PATH, and neither was found; or render it yourself: kustomize build DIR | draingate validate -\n',
    );
  });
});
