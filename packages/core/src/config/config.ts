import { isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { YAMLMap } from 'yaml';
import type { InputProblem, SourceRef } from '../manifest/source.js';
import type { ClusterFacts } from '../model/cluster.js';
import { mergeClusterFacts } from '../model/cluster.js';
import type { Resolved } from '../model/provenance.js';
import { RULES } from '../rules/registry.js';
import type { FailOn } from '../rules/evaluate.js';
import { createAllowances } from '../timing/model.js';
import type { Allowances } from '../timing/model.js';

/** Settings from `.draingate.yaml`; every key is optional. */
export interface DraingateConfig {
  readonly propagationSeconds?: number;
  readonly nlbPropagationSeconds?: number;
  readonly shutdownSeconds?: number;
  readonly controllerLatencySeconds?: number;
  /** E: an endpoint change reaching kube-proxy on every node (instance targets). */
  readonly endpointPropagationSeconds?: number;
  readonly failOn?: FailOn;
  /** Rule ids turned off for every workload. */
  readonly disable?: readonly string[];
  /** Facts about the cluster the manifests lack (`cluster:`); see `ClusterFacts`. */
  readonly cluster?: ClusterFacts;
}

export interface ParsedConfig {
  readonly config: DraingateConfig;
  readonly warnings: InputProblem[];
  readonly errors: InputProblem[];
}

const SECONDS_KEYS = [
  'propagationSeconds',
  'nlbPropagationSeconds',
  'shutdownSeconds',
  'controllerLatencySeconds',
  'endpointPropagationSeconds',
] as const;
const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;

/** Parses `.draingate.yaml`. User mistakes become errors and warnings with their position, never throws. */
export function parseConfig(text: string, file: string): ParsedConfig {
  const lineCounter = new LineCounter();
  const warnings: InputProblem[] = [];
  const errors: InputProblem[] = [];
  const at = (offset: number | undefined): SourceRef => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, column: pos.col };
  };
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    return {
      config: {},
      warnings,
      errors: doc.errors.map((e) => ({
        at: at(e.pos[0]),
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  if (doc.contents === null) return { config: {}, warnings, errors };
  if (!isMap(doc.contents)) {
    return {
      config: {},
      warnings,
      errors: [{ at: at(doc.contents.range?.[0]), message: 'the configuration must be a mapping' }],
    };
  }
  let data: Record<string, unknown>;
  try {
    data = doc.toJS({ maxAliasCount: 10 }) as Record<string, unknown>;
  } catch {
    return {
      config: {},
      warnings,
      errors: [{ at: at(doc.contents.range?.[0]), message: 'too many YAML aliases' }],
    };
  }
  const config: Record<string, unknown> = {};
  for (const pair of doc.contents.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const keyAt = at(pair.key.range?.[0]);
    const plain = data[key];
    if ((SECONDS_KEYS as readonly string[]).includes(key)) {
      if (typeof plain !== 'number' || !Number.isFinite(plain) || plain < 0 || plain > 3600) {
        errors.push({
          at: keyAt,
          field: key,
          message: `must be a number of seconds between 0 and 3600, got ${JSON.stringify(plain)}`,
        });
      } else config[key] = plain;
    } else if (key === 'failOn') {
      if (typeof plain !== 'string' || !(FAIL_ON as readonly string[]).includes(plain)) {
        errors.push({
          at: keyAt,
          field: key,
          message: `must be one of ${FAIL_ON.join(', ')}, got ${JSON.stringify(plain)}`,
        });
      } else config[key] = plain;
    } else if (key === 'disable') {
      if (!Array.isArray(plain) || !plain.every((id) => typeof id === 'string')) {
        errors.push({ at: keyAt, field: key, message: 'must be a list of rule ids such as [DG014]' });
      } else {
        const known = new Set(RULES.map((rule) => rule.id));
        for (const id of plain as string[]) {
          if (!known.has(id.toUpperCase()))
            warnings.push({ at: keyAt, field: key, message: `unknown rule id ${JSON.stringify(id)}` });
        }
        config[key] = (plain as string[]).map((id) => id.toUpperCase());
      }
    } else if (key === 'cluster') {
      if (!isMap(pair.value)) {
        errors.push({
          at: keyAt,
          field: key,
          message: `must be a mapping of cluster facts (${CLUSTER_KEYS.join(', ')})`,
        });
      } else {
        const cluster = parseClusterFacts(pair.value, file, at, warnings, errors);
        if (cluster) config[key] = cluster;
      }
    } else {
      warnings.push({
        at: keyAt,
        field: key,
        message: `unknown setting (known: ${[...SECONDS_KEYS, 'failOn', 'disable', 'cluster'].join(', ')})`,
      });
    }
  }
  return { config: config as DraingateConfig, warnings, errors };
}

const CLUSTER_KEYS = [
  'albIngressClasses',
  'albGatewayClasses',
  'nlbGatewayClasses',
  'defaultIngressClass',
  'defaultTargetType',
  'serviceMutatorWebhook',
  'eksAutoMode',
] as const;

/**
 * An IngressClass name as Kubernetes accepts it: a DNS subdomain (lower-case alphanumerics, `-` and `.`,
 * starting and ending alphanumeric, at most 253 characters).
 */
const CLASS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Checks an IngressClass name; returns a message for one Kubernetes would refuse. */
export function checkIngressClassName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !CLASS_NAME.test(value))
    return `must be an IngressClass name (lower-case letters, digits, '-' and '.'), got ${JSON.stringify(value)}`;
  return undefined;
}

/** Checks a GatewayClass name (a DNS subdomain, as an IngressClass's); a message for one Kubernetes would refuse. */
export function checkGatewayClassName(value: unknown): string | undefined {
  return checkIngressClassName(value)?.replace('an IngressClass name', 'a GatewayClass name');
}

/** `cluster:` of `.draingate.yaml`: each fact checked, with the position of a bad one. */
function parseClusterFacts(
  map: YAMLMap,
  file: string,
  at: (offset: number | undefined) => SourceRef,
  warnings: InputProblem[],
  errors: InputProblem[],
): ClusterFacts | undefined {
  const facts: { -readonly [K in keyof ClusterFacts]: ClusterFacts[K] } = {};
  const before = errors.length;
  for (const pair of map.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const field = `cluster.${key}`;
    const node = pair.value as { range?: [number, number, number] } | null;
    const where = at((node?.range ?? pair.key.range)?.[0]);
    const value: unknown =
      pair.value && typeof (pair.value as { toJSON?: unknown }).toJSON === 'function'
        ? (pair.value as { toJSON(): unknown }).toJSON()
        : isScalar(pair.value)
          ? pair.value.value
          : pair.value;
    switch (key) {
      case 'albIngressClasses': {
        if (!Array.isArray(value)) {
          errors.push({ at: where, field, message: 'must be a list of IngressClass names such as [alb]' });
          break;
        }
        const bad = value.map(checkIngressClassName).find((message) => message !== undefined);
        if (bad) errors.push({ at: where, field, message: bad });
        else facts.albIngressClasses = value as string[];
        break;
      }
      case 'albGatewayClasses':
      case 'nlbGatewayClasses': {
        if (!Array.isArray(value)) {
          errors.push({
            at: where,
            field,
            message: 'must be a list of GatewayClass names such as [aws-alb]',
          });
          break;
        }
        const bad = value.map(checkGatewayClassName).find((message) => message !== undefined);
        if (bad) errors.push({ at: where, field, message: bad });
        else facts[key] = value as string[];
        break;
      }
      case 'defaultIngressClass': {
        const bad = checkIngressClassName(value);
        if (bad) errors.push({ at: where, field, message: bad });
        else facts.defaultIngressClass = value as string;
        break;
      }
      case 'defaultTargetType':
        if (value !== 'ip' && value !== 'instance')
          errors.push({ at: where, field, message: `must be ip or instance, got ${JSON.stringify(value)}` });
        else
          facts.defaultTargetType = {
            value,
            from: {
              kind: 'setting',
              setting: `the controller's --default-target-type, cluster.defaultTargetType: ${value} in ${file}`,
            },
          };
        break;
      case 'serviceMutatorWebhook':
      case 'eksAutoMode':
        if (typeof value !== 'boolean')
          errors.push({ at: where, field, message: `must be true or false, got ${JSON.stringify(value)}` });
        else facts[key] = value;
        break;
      default:
        warnings.push({
          at: at(pair.key.range?.[0]),
          field,
          message: `unknown cluster fact (known: ${CLUSTER_KEYS.join(', ')})`,
        });
    }
  }
  return errors.length > before ? undefined : { ...facts, source: file };
}

/** Flags that declare cluster facts (`--alb-ingress-class` …), as the CLI and the Action pass them. */
export interface ClusterFlags {
  readonly albIngressClass?: readonly string[];
  readonly albGatewayClass?: readonly string[];
  readonly nlbGatewayClass?: readonly string[];
  readonly defaultIngressClass?: string;
  readonly defaultTargetType?: 'ip' | 'instance';
  readonly serviceMutatorWebhook?: boolean;
  readonly eksAutoMode?: boolean;
}

/** Cluster facts from flags over the config file's `cluster:`. */
export function clusterFactsFrom(config: DraingateConfig, flags: ClusterFlags): ClusterFacts {
  const fromFlags: { -readonly [K in keyof ClusterFacts]: ClusterFacts[K] } = {};
  if (flags.albIngressClass && flags.albIngressClass.length > 0)
    fromFlags.albIngressClasses = flags.albIngressClass;
  if (flags.albGatewayClass && flags.albGatewayClass.length > 0)
    fromFlags.albGatewayClasses = flags.albGatewayClass;
  if (flags.nlbGatewayClass && flags.nlbGatewayClass.length > 0)
    fromFlags.nlbGatewayClasses = flags.nlbGatewayClass;
  if (flags.defaultIngressClass !== undefined) fromFlags.defaultIngressClass = flags.defaultIngressClass;
  if (flags.defaultTargetType !== undefined)
    fromFlags.defaultTargetType = {
      value: flags.defaultTargetType,
      from: {
        kind: 'setting',
        setting: `the controller's --default-target-type, --default-target-type ${flags.defaultTargetType}`,
      },
    };
  if (flags.serviceMutatorWebhook !== undefined)
    fromFlags.serviceMutatorWebhook = flags.serviceMutatorWebhook;
  if (flags.eksAutoMode !== undefined) fromFlags.eksAutoMode = flags.eksAutoMode;
  return mergeClusterFacts(config.cluster ?? {}, fromFlags);
}

/** Allowances from flags over the config file over draingate's defaults, each with where it came from. */
export function allowancesFrom(
  config: DraingateConfig,
  configFile: string | undefined,
  flags: Partial<Record<(typeof SECONDS_KEYS)[number], number>>,
): Allowances {
  const pick = (key: (typeof SECONDS_KEYS)[number], flag: string): Resolved<number> | undefined => {
    const fromFlag = flags[key];
    if (fromFlag !== undefined)
      return { value: fromFlag, from: { kind: 'setting', setting: `${flag} ${fromFlag}` } };
    const fromConfig = config[key];
    if (fromConfig !== undefined)
      return {
        value: fromConfig,
        from: { kind: 'setting', setting: `${key}: ${fromConfig} in ${configFile ?? '.draingate.yaml'}` },
      };
    return undefined;
  };
  const overrides: { -readonly [K in keyof Allowances]?: Allowances[K] } = {};
  const propagation = pick('propagationSeconds', '--propagation-seconds');
  if (propagation) overrides.propagationSeconds = propagation;
  const nlb = pick('nlbPropagationSeconds', '--nlb-propagation-seconds');
  if (nlb) overrides.nlbPropagationSeconds = nlb;
  const shutdown = pick('shutdownSeconds', '--shutdown-seconds');
  if (shutdown) overrides.shutdownSeconds = shutdown;
  const latency = pick('controllerLatencySeconds', '--controller-latency-seconds');
  if (latency) overrides.controllerLatencySeconds = latency;
  const endpoints = pick('endpointPropagationSeconds', '--endpoint-propagation-seconds');
  if (endpoints) overrides.endpointPropagationSeconds = endpoints;
  return createAllowances(overrides);
}
