import { ParameterValueError, parseParameterJson } from '@draingate/core';
import type { z } from 'zod';
import { ApiError } from './errors.js';
import { CHECK_PARAMETERS, CHECK_SCHEMAS, MAX_LOOKBACK_DAYS } from './schemas.js';
import type { CheckInput, CheckName } from './schemas.js';

type FieldKind = 'number' | 'boolean' | 'array' | 'record' | 'string';

function kindOf(schema: z.ZodType): FieldKind {
  const def = schema.def as { type: string; innerType?: z.ZodType };
  if (def.type === 'optional' && def.innerType) return kindOf(def.innerType);
  if (def.type === 'number' || def.type === 'boolean' || def.type === 'array' || def.type === 'record')
    return def.type;
  return 'string';
}

// Never assigned as keys of a plain object: they would reach its prototype.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Turns a query string (as express's simple parser gives it: strings, or arrays for repeated keys) into the
 * JSON shape of the check's body, so that GET and POST are validated by the same schema. Lists are repeated
 * keys or comma-separated; a selector is `key=value,key=value`.
 */
export function queryToBody(
  check: CheckName,
  query: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const shape = CHECK_SCHEMAS[check].shape as Readonly<Record<string, z.ZodType>>;
  const body: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query)) {
    if (FORBIDDEN_KEYS.has(key))
      throw new ApiError(400, 'invalid-input', `is not a parameter of ${check}`, { field: key });
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    // Unknown keys go through unchanged: the strict schema names them.
    const kind = field ? kindOf(field) : 'string';
    const values = (Array.isArray(raw) ? raw : [raw]).map((value) =>
      typeof value === 'string' ? value : '',
    );
    if (kind === 'array') {
      body[key] = values.flatMap((value) => value.split(',')).filter((value) => value !== '');
      continue;
    }
    if (values.length !== 1)
      throw new ApiError(400, 'invalid-input', 'is given more than once', { field: key });
    const value = values[0] ?? '';
    body[key] = kind === 'record' ? parseSelector(key, value) : coerceScalar(check, key, kind, value);
  }
  return body;
}

/**
 * A string given for a number or a boolean, as that type. A parameter of core's tables is read with the grammar
 * every front end shares (`1%`, `10m`, `true`); a value it refuses is a 400 naming the field, in the same words
 * as the CLI's and the Action's. Anything else is unchanged, for the schema to judge.
 */
function coerceScalar(check: CheckName, key: string, kind: FieldKind, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const parameter = CHECK_PARAMETERS[check].find((candidate) => candidate.field === key);
  if (parameter && parameter.grammar.kind !== 'time') {
    try {
      return parseParameterJson(parameter, value);
    } catch (error) {
      if (error instanceof ParameterValueError)
        throw new ApiError(400, 'invalid-input', error.message, { field: key });
      throw error;
    }
  }
  if (kind === 'number') return NUMBER.test(value.trim()) ? Number(value) : value;
  if (kind === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/**
 * A JSON body with numbers and booleans also accepted as strings: Argo's args are strings, and a template's
 * `jsonBody` can only hold `"{{args.max-rate}}"`, never a bare number. Other values pass unchanged.
 */
export function coerceBody(check: CheckName, body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const shape = CHECK_SCHEMAS[check].shape as Readonly<Record<string, z.ZodType>>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    const kind = field ? kindOf(field) : 'string';
    // An empty string in a list is an arg left at its empty default (a template's optional second target
    // group): dropped, as the query form drops `targetGroupArns=`.
    const coerced =
      kind === 'array' && Array.isArray(value)
        ? value.filter((entry) => entry !== '')
        : field
          ? coerceScalar(check, key, kind, value)
          : value;
    // defineProperty: a JSON key "__proto__" stays an own (unknown) key instead of replacing the prototype.
    Object.defineProperty(out, key, { value: coerced, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseSelector(field: string, text: string): Record<string, string> {
  const selector: Record<string, string> = {};
  for (const part of text.split(',')) {
    const match = /^([^=!\s]+)\s*==?\s*(\S*)$/.exec(part.trim());
    if (!match?.[1] || FORBIDDEN_KEYS.has(match[1])) {
      throw new ApiError(400, 'invalid-input', 'must be equality requirements: key=value,key=value', {
        field,
      });
    }
    selector[match[1]] = match[2] ?? '';
  }
  return selector;
}

/** The first schema problem as a 400 naming the field. */
function issueToError(check: CheckName, issue: z.core.$ZodIssue): ApiError {
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(CHECK_SCHEMAS[check].shape).join(', ');
    return new ApiError(400, 'invalid-input', `is not a parameter of ${check} (known: ${known})`, {
      field: issue.keys[0] ?? '',
    });
  }
  const field = issue.path.map(String).join('.');
  if (field === '') {
    return new ApiError(400, 'invalid-input', `the request must be a JSON object of ${check} parameters`, {
      field: '(body)',
    });
  }
  return new ApiError(400, 'invalid-input', issue.message.replace(/^Invalid input: /, ''), { field });
}

/**
 * Validates a check's input (a query turned into a body, or a JSON body) and the rules that span fields or
 * need the time: a baseline needs `deployedAt`, which must be neither in the future nor older than CloudWatch
 * keeps minutes; pods are cross-referenced only with both a namespace and a selector; each canary method takes
 * its own parameters, and the sequential one its start (`since`, or the canary's pods).
 */
export function parseCheckInput(check: CheckName, raw: unknown, now: Date): CheckInput {
  const result = CHECK_SCHEMAS[check].safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw issue ? issueToError(check, issue) : new ApiError(400, 'invalid-input', 'invalid request');
  }
  const input = { check, body: result.data } as CheckInput;
  const fail = (field: string, message: string): never => {
    throw new ApiError(400, 'invalid-input', message, { field });
  };
  if (input.check === 'elb-5xx') {
    const { deployedAt, baselineMinutes } = input.body;
    if (baselineMinutes !== undefined && deployedAt === undefined)
      fail('deployedAt', 'is required with baselineMinutes');
    if (deployedAt !== undefined) {
      const at = Date.parse(deployedAt);
      if (at > now.getTime() + 60_000) fail('deployedAt', `is in the future (now is ${now.toISOString()})`);
      if (at < now.getTime() - MAX_LOOKBACK_DAYS * 86_400_000)
        fail(
          'deployedAt',
          `is more than ${MAX_LOOKBACK_DAYS} days ago: CloudWatch no longer has its minutes`,
        );
    }
  }
  if (input.check === 'target-health') {
    const { namespace, selector } = input.body;
    if (namespace !== undefined && selector === undefined) fail('selector', 'is required with namespace');
    if (selector !== undefined && namespace === undefined) fail('namespace', 'is required with selector');
    if (selector !== undefined && Object.keys(selector).length === 0)
      fail('selector', 'must name at least one label: an empty selector matches every pod of the namespace');
  }
  if (input.check === 'canary') {
    const body = input.body;
    if (body.canaryTargetGroupArn === body.stableTargetGroupArn)
      fail('stableTargetGroupArn', 'must differ from canaryTargetGroupArn');
    // Each method reads its own parameters and ignores the other's, as the CLI does; the sequential method's
    // start is required when the check runs (run-check.ts).
    checkStart(body, now, fail);
  }
  if (input.check === 'latency') {
    const body = input.body;
    if (body.canaryTargetGroupArn === body.stableTargetGroupArn)
      fail('stableTargetGroupArn', 'must differ from canaryTargetGroupArn');
    checkStart(body, now, fail);
    if (body.windowMinutes !== undefined && (body.since !== undefined || body.namespace !== undefined))
      fail('windowMinutes', "cannot be combined with the canary's start: every minute since it is judged");
  }
  return input;
}

/**
 * The canary's start: `since`, or the `namespace` and `selector` of its pods, never both; `since` in the past and
 * within what CloudWatch keeps.
 */
function checkStart(
  body: {
    readonly since?: string;
    readonly namespace?: string;
    readonly selector?: Readonly<Record<string, string>>;
  },
  now: Date,
  fail: (field: string, message: string) => never,
): void {
  const { since, namespace, selector } = body;
  if (since !== undefined && (namespace !== undefined || selector !== undefined))
    fail(
      namespace !== undefined ? 'namespace' : 'selector',
      "cannot be combined with since: give the canary's start, or its pods to read it from",
    );
  if (namespace !== undefined && selector === undefined) fail('selector', 'is required with namespace');
  if (selector !== undefined && namespace === undefined) fail('namespace', 'is required with selector');
  if (selector !== undefined && Object.keys(selector).length === 0)
    fail('selector', 'must name at least one label: an empty selector matches every pod of the namespace');
  if (since !== undefined) {
    const at = Date.parse(since);
    if (at >= now.getTime()) fail('since', `must be before now (${now.toISOString()}), got ${since}`);
    if (at < now.getTime() - MAX_LOOKBACK_DAYS * 86_400_000)
      fail('since', `is more than ${MAX_LOOKBACK_DAYS} days ago: CloudWatch no longer has its minutes`);
  }
}
