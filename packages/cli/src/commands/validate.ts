import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  allowancesFrom,
  checkIngressClassName,
  checkGatewayClassName,
  clusterFactsFrom,
  formatInputProblem,
  parseConfig,
  reachesThreshold,
  renderJson,
  renderMarkdown,
  renderSarif,
  renderText,
  validateManifests,
} from '@draingate/core';
import { evaluateRules, InputError, RULES, UpstreamError } from '@draingate/core';
import type {
  Allowances,
  ClusterFacts,
  DraingateConfig,
  FailOn,
  InputProblem,
  Report,
} from '@draingate/core';
import { InvalidArgumentError } from 'commander';
import { connect, parseWorkloadRef } from '../live.js';
import { DEFAULT_MAX_FILE_BYTES, readManifestSources } from '@draingate/core/node';
import { findRenderer, renderKustomizations } from '../kustomize.js';
import type { CliIo } from '../io.js';
import { EXIT, UsageError, useColour } from '../io.js';
import { collect, oneOf, parseMebibytes, parseSeconds } from '../options.js';

const OUTPUTS = ['text', 'json', 'sarif', 'markdown'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;

/** `validate` of manifest files, directories and stdin. */
async function validateFiles(
  io: CliIo,
  paths: readonly string[],
  flags: ValidateFlags,
  allowances: Allowances,
  disable: readonly string[] | undefined,
  cluster: ClusterFacts,
): Promise<Report> {
  const maxFileBytes = flags.maxFileSize ?? DEFAULT_MAX_FILE_BYTES;
  const read =
    paths.length > 0
      ? await readManifestSources(paths, {
          cwd: io.cwd,
          stdin: io.stdin,
          maxFileBytes,
          limitSetting: '--max-file-size',
        })
      : { sources: [], problems: [], notices: [] };
  const sources = [...read.sources];
  const problems = [...read.problems];
  if (flags.kustomize && flags.kustomize.length > 0) {
    const renderer = findRenderer(io.env['PATH']);
    for (const dir of flags.kustomize) {
      const rendered = await renderKustomizations(dir, io.cwd, renderer, maxFileBytes);
      sources.push(...rendered.sources);
      problems.push(...rendered.problems);
    }
  }
  return validateManifests(sources, {
    allowances,
    defaultNamespace: flags.namespace,
    readProblems: problems,
    readNotices: read.notices,
    cluster,
    ...(disable ? { disable } : {}),
  });
}

/**
 * `validate --live`: each workload's objects read from the cluster, its target groups' real settings from
 * AWS, then every rule, the live-only ones (DG018) included.
 */
async function validateLive(
  workloads: readonly string[],
  flags: ValidateFlags,
  allowances: Allowances,
  disable: readonly string[] | undefined,
  cluster: ClusterFacts,
): Promise<Report> {
  const refs = workloads.map((workload) => parseWorkloadRef(workload, flags.namespace));
  const live = await connect(flags, allowances, cluster);
  try {
    const facts = await Promise.all(refs.map((ref) => live.readWorkloadFacts(ref)));
    const disabled = new Set((disable ?? []).map((id) => id.toUpperCase()));
    const evaluated = evaluateRules(facts, {
      allowances,
      rules: RULES.filter((rule) => !disabled.has(rule.id)),
    });
    return {
      ...evaluated,
      problems: [],
      notices: facts.flatMap((workload) => workload.notices ?? []),
      files: 0,
    };
  } catch (error) {
    if (error instanceof UpstreamError || error instanceof InputError) throw new UsageError(error.message);
    throw error;
  } finally {
    live.close();
  }
}

interface ValidateFlags {
  live?: boolean;
  kubeconfig?: string;
  context?: string;
  region?: string;
  output: (typeof OUTPUTS)[number];
  failOn?: FailOn;
  config?: string;
  namespace: string;
  propagationSeconds?: number;
  nlbPropagationSeconds?: number;
  shutdownSeconds?: number;
  controllerLatencySeconds?: number;
  endpointPropagationSeconds?: number;
  maxFileSize?: number;
  kustomize?: string[];
  fixes: boolean;
  albIngressClass?: string[];
  albGatewayClass?: string[];
  nlbGatewayClass?: string[];
  defaultIngressClass?: string;
  defaultTargetType?: 'ip' | 'instance';
  serviceMutatorWebhook?: boolean;
  eksAutoMode?: boolean;
}

/** An IngressClass name for a flag; commander reports the flag and the value. */
function parseClassName(value: string, previous?: string[]): string[] {
  const problem = checkIngressClassName(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return collect(value, previous);
}

/** A GatewayClass name for a flag. */
function parseGatewayClassName(value: string, previous?: string[]): string[] {
  const problem = checkGatewayClassName(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return collect(value, previous);
}

function parseOneClassName(value: string): string {
  const problem = checkIngressClassName(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** Reads `--config` (or `.draingate.yaml` in the working directory when present). Errors are usage errors. */
export async function loadConfig(
  io: CliIo,
  path: string | undefined,
): Promise<{ config: DraingateConfig; file?: string; warnings: InputProblem[] }> {
  const file = path ?? (existsSync(join(io.cwd, '.draingate.yaml')) ? '.draingate.yaml' : undefined);
  if (!file) return { config: {}, warnings: [] };
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    if (path) throw new UsageError(`--config ${path}: cannot read the file (${describeReadError(error)})`);
    return { config: {}, warnings: [] };
  }
  const parsed = parseConfig(text, file);
  if (parsed.errors.length > 0) throw new UsageError(parsed.errors.map(formatInputProblem).join('\n'));
  return { config: parsed.config, file, warnings: parsed.warnings };
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'a directory';
  return code ?? 'unreadable';
}

export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Check drain timing in Kubernetes manifests (files, directories, or - for stdin).')
    .argument(
      '[paths...]',
      'manifest files or directories (walked recursively), or - for stdin; with --live: workloads such as deployment/NAME',
    )
    .option('-o, --output <format>', `report format: ${OUTPUTS.join(', ')}`, oneOf(OUTPUTS), 'text')
    .option(
      '--fail-on <severity>',
      `exit 1 when a finding reaches this severity: ${FAIL_ON.join(', ')} (default: error)`,
      oneOf(FAIL_ON),
    )
    .option('-c, --config <file>', 'configuration file (default: .draingate.yaml when present)')
    .option('-n, --namespace <ns>', 'namespace of objects that name none', 'default')
    .option(
      '--propagation-seconds <s>',
      'L: time for a deregistration to reach the ALB data plane (default 15)',
      parseSeconds,
    )
    .option('--nlb-propagation-seconds <s>', 'L for NLBs (default 120)', parseSeconds)
    .option('--shutdown-seconds <s>', 'S: application shutdown time after SIGTERM (default 5)', parseSeconds)
    .option(
      '--controller-latency-seconds <s>',
      'controller latency before Register/DeregisterTargets (default 5)',
      parseSeconds,
    )
    .option(
      '--endpoint-propagation-seconds <s>',
      'E: time for an endpoint change to reach kube-proxy on every node, for instance targets (default 2)',
      parseSeconds,
    )
    .option('--max-file-size <MiB>', 'refuse larger files (default 32)', parseMebibytes)
    .option(
      '--kustomize <dir>',
      'render each kustomize overlay under DIR (kustomize build, or kubectl kustomize) and validate each as an environment of its own; repeatable',
      collect,
    )
    .option(
      '--alb-ingress-class <name>',
      'cluster fact: an IngressClass of the AWS Load Balancer Controller or EKS Auto Mode that the input does not define (repeatable)',
      parseClassName,
    )
    .option(
      '--alb-gateway-class <name>',
      'cluster fact: a GatewayClass of controller gateway.k8s.aws/alb that the input does not define (repeatable)',
      parseGatewayClassName,
    )
    .option(
      '--nlb-gateway-class <name>',
      'cluster fact: a GatewayClass of controller gateway.k8s.aws/nlb that the input does not define (repeatable)',
      parseGatewayClassName,
    )
    .option(
      '--default-ingress-class <name>',
      "cluster fact: the cluster's default IngressClass, used by Ingresses that name none",
      parseOneClassName,
    )
    .option(
      '--default-target-type <type>',
      "cluster fact: the controller's --default-target-type, ip or instance (controller default: instance)",
      oneOf(['ip', 'instance'] as const),
    )
    .option(
      '--service-mutator-webhook',
      "cluster fact: the controller's Service mutator webhook runs, so a plain type: LoadBalancer Service becomes its NLB",
    )
    .option('--no-service-mutator-webhook', 'cluster fact: it does not (such Services are not judged)')
    .option(
      '--eks-auto-mode',
      'cluster fact: EKS Auto Mode runs load balancing (type: LoadBalancer Services become its NLBs; ip targets by default)',
    )
    .option('--no-fixes', 'text output: leave out the fix snippets')
    .option(
      '--live',
      'validate workloads in the cluster, with the real target group and load balancer settings',
    )
    .option(
      '--kubeconfig <file>',
      'with --live: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)',
    )
    .option('--context <name>', 'with --live: kubeconfig context')
    .option('--region <region>', 'with --live: AWS region (default: from the target group ARN)')
    .addHelpText(
      'after',
      '\nExit status: 0 nothing reached --fail-on; 1 findings did; 2 usage or input error.\n\nExamples:\n  draingate validate k8s/\n  draingate validate --kustomize deploy/overlays\n  kustomize build overlays/prod | draingate validate -\n  helm template my-chart | draingate validate -\n  draingate validate -o sarif k8s/ > draingate.sarif\n  draingate validate --live -n shop deployment/web',
    )
    .action(async (paths: string[], flags: ValidateFlags) => {
      if (paths.length === 0 && !(flags.kustomize && flags.kustomize.length > 0))
        throw new UsageError('validate needs manifest files, directories or - (or --kustomize DIR)');
      const { config, file, warnings } = await loadConfig(io, flags.config);
      for (const warning of warnings) io.stderr.write(`draingate: warning: ${formatInputProblem(warning)}\n`);
      const allowances = allowancesFrom(config, file, {
        ...(flags.propagationSeconds !== undefined ? { propagationSeconds: flags.propagationSeconds } : {}),
        ...(flags.nlbPropagationSeconds !== undefined
          ? { nlbPropagationSeconds: flags.nlbPropagationSeconds }
          : {}),
        ...(flags.shutdownSeconds !== undefined ? { shutdownSeconds: flags.shutdownSeconds } : {}),
        ...(flags.controllerLatencySeconds !== undefined
          ? { controllerLatencySeconds: flags.controllerLatencySeconds }
          : {}),
        ...(flags.endpointPropagationSeconds !== undefined
          ? { endpointPropagationSeconds: flags.endpointPropagationSeconds }
          : {}),
      });
      const cluster = clusterFactsFrom(config, {
        ...(flags.albIngressClass ? { albIngressClass: flags.albIngressClass } : {}),
        ...(flags.albGatewayClass ? { albGatewayClass: flags.albGatewayClass } : {}),
        ...(flags.nlbGatewayClass ? { nlbGatewayClass: flags.nlbGatewayClass } : {}),
        ...(flags.defaultIngressClass !== undefined
          ? { defaultIngressClass: flags.defaultIngressClass }
          : {}),
        ...(flags.defaultTargetType !== undefined ? { defaultTargetType: flags.defaultTargetType } : {}),
        ...(flags.serviceMutatorWebhook !== undefined
          ? { serviceMutatorWebhook: flags.serviceMutatorWebhook }
          : {}),
        ...(flags.eksAutoMode !== undefined ? { eksAutoMode: flags.eksAutoMode } : {}),
      });
      const report = flags.live
        ? await validateLive(paths, flags, allowances, config.disable, cluster)
        : await validateFiles(io, paths, flags, allowances, config.disable, cluster);
      const failOn = flags.failOn ?? config.failOn ?? 'error';
      switch (flags.output) {
        case 'json':
          io.stdout.write(renderJson(report));
          break;
        case 'sarif':
          io.stdout.write(renderSarif(report, { baseDir: io.cwd }));
          break;
        case 'markdown':
          io.stdout.write(renderMarkdown(report));
          break;
        default:
          io.stdout.write(
            renderText({ ...report, problems: [] }, { colour: useColour(io), fixes: flags.fixes }),
          );
      }
      for (const problem of report.problems) io.stderr.write(`draingate: ${formatInputProblem(problem)}\n`);
      setExit(
        report.problems.length > 0
          ? EXIT.usage
          : reachesThreshold(report.findings, failOn)
            ? EXIT.findings
            : EXIT.ok,
      );
    });
}
