import { isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { InputProblem, SourceRef } from '../manifest/source.js';
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
  readonly failOn?: FailOn;
  /** Rule ids turned off for every workload. */
  readonly disable?: readonly string[];
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
    } else {
      warnings.push({
        at: keyAt,
        field: key,
        message: `unknown setting (known: ${[...SECONDS_KEYS, 'failOn', 'disable'].join(', ')})`,
      });
    }
  }
  return { config: config as DraingateConfig, warnings, errors };
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
  return createAllowances(overrides);
}
