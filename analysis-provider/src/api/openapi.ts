import { DRAINGATE_VERSION, describeGrammar } from '@draingate/core';
import type { Parameter } from '@draingate/core';
import { z } from 'zod';
import { API_ERROR_CODES } from './errors.js';
import { CHECK_NAMES, CHECK_PARAMETERS, CHECK_SCHEMAS } from './schemas.js';
import type { CheckName } from './schemas.js';

type JsonObject = Record<string, unknown>;

const SUMMARY: Readonly<Record<CheckName, string>> = {
  'elb-5xx': 'ELB and target 5xx rate of a load balancer (and its target groups) over the last minutes',
  'target-health': "Target health of a target group, cross-referenced with the workload's pods",
  'drain-timing': 'The drain-timing rules on a live workload and its real target group settings',
  canary:
    "A canary target group's 5xx rate against the stable one's: Fisher's exact test on one window (method fisher), or the anytime-valid sequential test on every minute since the canary started (method sequential: since, or the namespace and selector of the canary's pods)",
  latency:
    "A canary target group's TargetResponseTime percentile against the stable one's, minute by minute: an anytime-valid sequential sign test over the minutes since the canary started (since, or the namespace and selector of its pods), or over the last windowMinutes",
};

/** A verdict: every field always present and never null, so Argo's jsonPath never misses. */
export const VERDICT_SCHEMA: JsonObject = {
  type: 'object',
  required: ['check', 'phase', 'pass', 'value', 'threshold', 'reason', 'details', 'measuredAt'],
  additionalProperties: false,
  properties: {
    check: { type: 'string', enum: [...CHECK_NAMES] },
    phase: { type: 'string', enum: ['Successful', 'Failed', 'Inconclusive'] },
    pass: { type: 'boolean', description: 'phase is Successful.' },
    value: {
      type: 'number',
      description: 'The number the check judged (a rate, a count of healthy targets…).',
    },
    threshold: { type: 'number', description: '`value` was compared with this.' },
    reason: { type: 'string', description: 'One sentence with the numbers.' },
    details: { type: 'object', description: 'The raw numbers the check used.' },
    measuredAt: { type: 'string', format: 'date-time' },
  },
};

/** The body of every non-2xx answer. */
export const ERROR_SCHEMA: JsonObject = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['status', 'code', 'message', 'requestId'],
      additionalProperties: false,
      properties: {
        status: { type: 'integer', minimum: 400, maximum: 599 },
        code: {
          type: 'string',
          enum: [...API_ERROR_CODES],
        },
        message: { type: 'string' },
        field: { type: 'string', description: 'The request field at fault (400).' },
        retryAfterSeconds: { type: 'integer', minimum: 1 },
        details: { type: 'object' },
        requestId: { type: 'string' },
      },
    },
  },
};

const NUMERIC_STRING = '^-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?$';

/**
 * What the provider accepts for a number or boolean field: the JSON type, or the same value as a string, since
 * Argo's args are strings and a template's jsonBody can only say "{{args.max-rate}}". Lists of ARNs may hold
 * empty strings (an optional arg left empty), which are dropped.
 */
function acceptedAsSent(schema: JsonObject, parameter: Parameter | undefined): JsonObject {
  const type = schema['type'];
  if (type === 'number' || type === 'integer') {
    const { description, ...rest } = schema;
    const text: JsonObject = parameter
      ? { type: 'string', description: `The same value as text: ${describeGrammar(parameter.grammar)}.` }
      : { type: 'string', pattern: NUMERIC_STRING, description: 'The same number as a string.' };
    return { ...(description === undefined ? {} : { description }), anyOf: [rest, text] };
  }
  if (type === 'boolean') return { anyOf: [schema, { type: 'string', enum: ['true', 'false'] }] };
  if (type === 'array') {
    const items = (schema['items'] ?? {}) as JsonObject;
    return { ...schema, items: { anyOf: [items, { type: 'string', const: '', description: 'Ignored.' }] } };
  }
  return schema;
}

/** The validator's own JSON Schema of a check's body. */
function validatorSchema(check: CheckName): JsonObject {
  const schema = z.toJSONSchema(CHECK_SCHEMAS[check], {
    io: 'input',
    target: 'draft-2020-12',
    reused: 'inline',
  }) as JsonObject;
  const defs = schema['$defs'] as Record<string, JsonObject> | undefined;
  const body = defs ? (Object.values(defs)[0] ?? schema) : schema;
  const { $schema: _ignored, ...rest } = body;
  return rest;
}

/** A check's JSON body as the provider accepts it. */
function requestSchema(check: CheckName): JsonObject {
  const rest = validatorSchema(check);
  const properties = (rest['properties'] ?? {}) as Record<string, JsonObject>;
  return {
    ...rest,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, field]) => [
        name,
        acceptedAsSent(
          field,
          CHECK_PARAMETERS[check].find((parameter) => parameter.field === name),
        ),
      ]),
    ),
  };
}

function errorResponse(description: string): JsonObject {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

const ERRORS: JsonObject = {
  '400': errorResponse('Invalid input: `error.field` names the parameter, `error.message` says why.'),
  '401': errorResponse('Missing or invalid bearer token.'),
  '403': errorResponse('An allow-list does not let this token read the object.'),
  '404': errorResponse('No such check, or the object (target group, workload) does not exist.'),
  '413': errorResponse('The body is larger than the limit.'),
  '415': errorResponse('POST without `Content-Type: application/json`.'),
  '429': errorResponse("The token's rate limit is exhausted; see Retry-After."),
  '500': errorResponse('A bug: nothing was judged.'),
  '502': errorResponse('AWS or the Kubernetes API refused or failed: nothing was measured.'),
  '503': errorResponse('AWS throttled or is unreachable, or the provider is shutting down; see Retry-After.'),
  '504': errorResponse("No answer within the provider's deadline (below Argo's 10 s)."),
};

/** The approval gate's webhook (only when the GitHub App is configured): signed by GitHub, not a bearer token. */
const WEBHOOK_PATH: JsonObject = {
  post: {
    operationId: 'github-webhook',
    summary:
      'GitHub App webhook: `deployment_protection_rule` (action `requested`) starts a decision; `ping` answers. Authenticated by `X-Hub-Signature-256`.',
    security: [],
    parameters: [
      { name: 'X-GitHub-Event', in: 'header', required: true, schema: { type: 'string' } },
      { name: 'X-GitHub-Delivery', in: 'header', required: true, schema: { type: 'string' } },
      { name: 'X-Hub-Signature-256', in: 'header', required: true, schema: { type: 'string' } },
    ],
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
    responses: {
      '200': {
        description:
          'Nothing to do: a ping, another event or action, an ignored environment, or a duplicate (a decision for the same repository, run, environment and deployment — taken from the signed body — is pending or was sent, on any replica).',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
      '202': {
        description: 'Accepted: the decision is prepared and sent to GitHub asynchronously.',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
      '400': errorResponse('Not JSON, or not a valid deployment_protection_rule payload (`error.field`).'),
      '401': errorResponse('Missing or invalid X-Hub-Signature-256.'),
      '408': errorResponse('The body did not arrive within 10 s; the connection is closed.'),
      '413': errorResponse(
        'The body is larger than the webhook limit; the rest is not read and the connection is closed.',
      ),
      '415': errorResponse(
        "Not `Content-Type: application/json` (set the app's webhook content type to JSON).",
      ),
      '503': errorResponse(
        'Too many decisions pending on this replica, the provider is shutting down, or the decision store cannot be reached; nothing was recorded: redeliver later.',
      ),
    },
  },
};

function queryParameters(check: CheckName): JsonObject[] {
  // In a query string every value is text; the parameter's schema says which text is accepted.
  const body = validatorSchema(check);
  const properties = (body['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set((body['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => {
    const isList = schema['type'] === 'array';
    const isRecord = schema['type'] === 'object';
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(isList
        ? {
            style: 'form',
            explode: true,
            description: 'Repeat the parameter or separate values with commas.',
          }
        : {}),
      ...(isRecord ? { description: 'Equality requirements: key=value,key=value.' } : {}),
      schema: isRecord ? { type: 'string' } : schema,
    };
  });
}

/**
 * The provider's OpenAPI 3.1 document, served at `/openapi.json`; request schemas come from the validators. The
 * approval gate's webhook is listed only when `webhook` is true (the GitHub App is configured): otherwise the
 * route does not exist.
 */
export function createOpenApiDocument(options: { readonly webhook?: boolean } = {}): JsonObject {
  const paths: JsonObject = {};
  const schemas: Record<string, JsonObject> = { Verdict: VERDICT_SCHEMA, Error: ERROR_SCHEMA };
  for (const check of CHECK_NAMES) {
    const name = `${check.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase())}Request`;
    schemas[name] = requestSchema(check);
    const ok = {
      description: 'A measured verdict: Successful, Failed or Inconclusive.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Verdict' } } },
    };
    paths[`/v1/checks/${check}`] = {
      get: {
        operationId: `get-${check}`,
        summary: SUMMARY[check],
        parameters: queryParameters(check),
        responses: { '200': ok, ...ERRORS },
      },
      post: {
        operationId: `post-${check}`,
        summary: `${SUMMARY[check]} (parameters as JSON: robust for ARNs)`,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
        },
        responses: { '200': ok, ...ERRORS },
      },
    };
  }
  const plain = (description: string, schema: JsonObject): JsonObject => ({
    get: {
      summary: description,
      security: [],
      responses: { '200': { description: 'OK', content: { 'application/json': { schema } } } },
    },
  });
  paths['/healthz'] = plain('Liveness: the process answers.', { type: 'object' });
  paths['/readyz'] = {
    get: {
      summary: 'Readiness: 200 when serving, 503 while starting or draining.',
      security: [],
      responses: {
        '200': { description: 'Ready', content: { 'application/json': { schema: { type: 'object' } } } },
        '503': {
          description: 'Starting or draining',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      },
    },
  };
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics.',
      security: [],
      responses: { '200': { description: 'Text exposition format', content: { 'text/plain': {} } } },
    },
  };
  paths['/openapi.json'] = plain('This document.', { type: 'object' });
  if (options.webhook) paths['/github/webhook'] = WEBHOOK_PATH;
  return {
    openapi: '3.1.0',
    info: {
      title: 'draingate analysis provider',
      version: DRAINGATE_VERSION,
      description:
        'Runtime checks for Argo Rollouts `provider: web` metrics. A measured verdict is always 200 JSON with phase, pass, value, threshold and reason; anything that could not be measured is a non-2xx JSON error, which Argo counts as an Error measurement.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
