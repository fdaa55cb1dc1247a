// GitHub's published OpenAPI description (npm @octokit/openapi, generated/api.github.com.json, OpenAPI 3.0) as
// a judge of the requests the approval gate makes: method and templated path, path parameters, the JSON body
// against the operation's requestBody schema, and the Authorization header each kind of endpoint needs.
import { verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';

type Json = Record<string, unknown>;

interface Operation {
  readonly template: string;
  readonly method: string;
  readonly operationId: string;
  readonly operation: Json;
  readonly regex: RegExp;
  readonly params: readonly string[];
  /** Literal segments: the most specific template wins when several match. */
  readonly literals: number;
}

/** What the judge found wrong with one request (empty: it conforms). */
export interface Judgement {
  readonly operationId?: string;
  readonly problems: string[];
}

/** How the Authorization header of a request is checked. */
export interface AuthRules {
  /** The app's public key and id: `/app/…` endpoints need `Bearer <JWT>` signed by it. */
  readonly appPublicKey: KeyObject;
  readonly appId: number | string;
  /** Whether `token` is an installation token the fake issued, unexpired, valid for this repository path. */
  readonly isInstallationToken: (token: string, path: string) => string | undefined;
  readonly now: () => Date;
}

const require = createRequire(import.meta.url);

/** The description itself (13 MB of JSON, read once per test file). */
export function loadGitHubOpenApi(): Json {
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/** The `#/components/schemas/…` names reachable from `root`. */
function reachableSchemas(root: unknown, schemas: Json, found = new Set<string>()): Set<string> {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!found.has(name)) {
          found.add(name);
          visit(schemas[name]);
        }
      } else visit(value);
    }
  };
  visit(root);
  return found;
}

/**
 * An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes a `null` type (or an `anyOf` with one), and in
 * `strict` mode objects that list properties refuse others — so a misspelt field in a request is caught even
 * though GitHub's schemas leave additionalProperties open.
 */
function toJsonSchema(node: unknown, strict: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, strict));
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
    out[key] = key === 'properties' ? mapValues(value as Json, strict) : toJsonSchema(value, strict);
  }
  if (
    strict &&
    out['type'] === 'object' &&
    out['properties'] !== undefined &&
    out['additionalProperties'] === undefined
  )
    out['additionalProperties'] = false;
  if (out['nullable'] === true) {
    delete out['nullable'];
    if (typeof out['type'] === 'string') {
      out['type'] = [out['type'], 'null'];
      if (Array.isArray(out['enum'])) out['enum'] = [...(out['enum'] as unknown[]), null];
    } else return { anyOf: [out, { type: 'null' }] };
  }
  delete out['nullable'];
  return out;
}

function mapValues(properties: Json, strict: boolean): Json {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toJsonSchema(v, strict)]));
}

function decodeJwt(
  token: string,
): { header: Json; payload: Json; signed: string; signature: Buffer } | undefined {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return undefined;
  try {
    return {
      header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Json,
      payload: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Json,
      signed: `${header}.${payload}`,
      signature: Buffer.from(signature, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/**
 * Judges requests against the description. Schemas are compiled on first use, only those an operation the
 * tests reach needs (with the component schemas they reference), never the whole document.
 */
export class GitHubOpenApiJudge {
  readonly #operations: Operation[] = [];
  readonly #components: Json;
  readonly #ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    this.#components = (document['components'] ?? {}) as Json;
    for (const [template, item] of Object.entries(document['paths'] as Record<string, Json>)) {
      const params: string[] = [];
      const regex = new RegExp(
        `^${template
          .split('/')
          .map((segment) => {
            const param = /^\{(\w+)\}$/.exec(segment);
            if (!param?.[1]) return segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
            params.push(param[1]);
            return '([^/]+)';
          })
          .join('/')}$`,
      );
      const literals = template.split('/').filter((s) => s !== '' && !s.startsWith('{')).length;
      for (const [method, operation] of Object.entries(item)) {
        if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
        const op = operation as Json;
        this.#operations.push({
          template,
          method: method.toUpperCase(),
          operationId: String(op['operationId']),
          operation: op,
          regex,
          params,
          literals,
        });
      }
    }
  }

  /** A component schema, or a response/request body schema, compiled (once) as JSON Schema. */
  #validator(key: string, schema: unknown, strict: boolean): ValidateFunction {
    const cacheKey = `${strict ? 'strict' : 'loose'}:${key}`;
    const known = this.#compiled.get(cacheKey);
    if (known) return known;
    const schemas = this.#components['schemas'] as Json;
    const names = reachableSchemas(schema, schemas);
    const id = `https://draingate.test/github-openapi/${this.#compiled.size}`;
    const definitions = Object.fromEntries(
      [...names].map((name) => [name, toJsonSchema(schemas[name], strict)]),
    );
    this.#ajv.addSchema({ $id: id, components: { schemas: definitions } });
    const rewritten = JSON.parse(
      JSON.stringify(toJsonSchema(schema, strict)).replaceAll(
        '"#/components/schemas/',
        `"${id}#/components/schemas/`,
      ),
    ) as Json;
    const validate = this.#ajv.compile(rewritten);
    this.#compiled.set(cacheKey, validate);
    return validate;
  }

  #parameter(ref: Json): Json {
    const target = ref['$ref'];
    if (typeof target === 'string' && target.startsWith('#/components/parameters/'))
      return (this.#components['parameters'] as Json)[
        target.slice('#/components/parameters/'.length)
      ] as Json;
    return ref;
  }

  /** The operation a request is for: the most specific templated path that matches, with that method. */
  find(method: string, path: string): { operation: Operation; values: Record<string, string> } | undefined {
    const candidates = this.#operations
      .filter((op) => op.method === method.toUpperCase() && op.regex.test(path))
      .sort((a, b) => b.literals - a.literals);
    const operation = candidates[0];
    if (!operation) return undefined;
    const match = operation.regex.exec(path) ?? [];
    const values = Object.fromEntries(
      operation.params.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
    );
    return { operation, values };
  }

  /** Checks one request; `path` is below the API base, without the query. */
  judge(
    request: { method: string; path: string; headers: Record<string, string | undefined>; body: string },
    auth: AuthRules,
  ): Judgement {
    const problems: string[] = [];
    const found = this.find(request.method, request.path);
    if (!found) return { problems: [`${request.method} ${request.path}: no such operation in GitHub's API`] };
    const { operation, values } = found;
    const where = `${operation.operationId} (${operation.method} ${operation.template})`;
    for (const ref of (operation.operation['parameters'] ?? []) as Json[]) {
      const parameter = this.#parameter(ref);
      if (parameter['in'] !== 'path') continue;
      const name = String(parameter['name']);
      const schema = (parameter['schema'] ?? {}) as Json;
      const raw = values[name] ?? '';
      const value = schema['type'] === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      const validate = this.#validator(`${where}:param:${name}`, schema, false);
      if (!validate(value))
        problems.push(
          `${where}: path parameter ${name}=${JSON.stringify(raw)} ${this.#ajv.errorsText(validate.errors)}`,
        );
    }
    const requestBody = operation.operation['requestBody'] as Json | undefined;
    const schema = (requestBody?.['content'] as Json | undefined)?.['application/json'] as Json | undefined;
    if (request.body !== '') {
      if (!schema) problems.push(`${where}: takes no JSON body`);
      else if (!/^application\/json\b/.test(request.headers['content-type'] ?? ''))
        problems.push(`${where}: a JSON body needs Content-Type: application/json`);
      else {
        let body: unknown;
        try {
          body = JSON.parse(request.body);
        } catch {
          problems.push(`${where}: the body is not JSON`);
        }
        const validate = this.#validator(`${where}:body`, schema['schema'], true);
        if (body !== undefined && !validate(body))
          problems.push(`${where}: body ${this.#ajv.errorsText(validate.errors)}`);
      }
    } else if (requestBody?.['required'] === true) problems.push(`${where}: the body is required`);
    if (!request.headers['user-agent']) problems.push(`${where}: GitHub refuses requests without User-Agent`);
    if (
      !/^application\/vnd\.github(\.[\w-]+)?\+json$|^application\/json$/.test(request.headers['accept'] ?? '')
    )
      problems.push(`${where}: Accept should be application/vnd.github+json`);
    problems.push(...this.#judgeAuth(operation, request.path, request.headers['authorization'], auth));
    return { operationId: operation.operationId, problems };
  }

  /**
   * `/app/…` endpoints (the app itself: its installations, their tokens) take `Bearer <JWT>`: RS256 signed with
   * the app's key, `iss` the app id, `iat` not in the future, `exp` after now and at most 10 minutes after
   * `iat` + 60 s drift. Every other endpoint takes an installation token (`token` or `Bearer`).
   */
  #judgeAuth(operation: Operation, path: string, header: string | undefined, auth: AuthRules): string[] {
    const where = operation.operationId;
    const match = /^(Bearer|token) (\S+)$/.exec(header ?? '');
    if (!match?.[2]) return [`${where}: no Authorization header`];
    const now = Math.floor(auth.now().getTime() / 1000);
    if (operation.template.startsWith('/app/') || operation.template === '/app') {
      if (match[1] !== 'Bearer') return [`${where}: a JWT goes in "Bearer <jwt>"`];
      const jwt = decodeJwt(match[2]);
      if (!jwt) return [`${where}: not a JWT`];
      const problems: string[] = [];
      if (jwt.header['alg'] !== 'RS256') problems.push(`${where}: JWT alg must be RS256`);
      if (!verify('sha256', Buffer.from(jwt.signed), auth.appPublicKey, jwt.signature))
        problems.push(`${where}: JWT signature does not verify with the app's public key`);
      const { iat, exp, iss } = jwt.payload;
      if (String(iss) !== String(auth.appId))
        problems.push(`${where}: JWT iss ${String(iss)} is not the app id`);
      if (typeof iat !== 'number' || iat > now + 1)
        problems.push(`${where}: JWT iat must not be in the future`);
      if (typeof exp !== 'number' || exp <= now) problems.push(`${where}: JWT has expired`);
      if (typeof exp === 'number' && exp > now + 600)
        problems.push(`${where}: JWT exp more than 10 minutes ahead`);
      return problems;
    }
    const refused = auth.isInstallationToken(match[2], path);
    return refused === undefined ? [] : [`${where}: ${refused}`];
  }

  /** Checks a response body the fake sends against the operation's documented response (keeps the fake honest). */
  judgeResponse(operationId: string, status: number, body: unknown): string[] {
    const operation = this.#operations.find((op) => op.operationId === operationId);
    const response = ((operation?.operation['responses'] ?? {}) as Json)[String(status)] as Json | undefined;
    if (!operation || !response) return [`${operationId}: status ${status} is not documented`];
    const schema = ((response['content'] as Json | undefined)?.['application/json'] as Json | undefined)?.[
      'schema'
    ];
    if (schema === undefined)
      return body === undefined ? [] : [`${operationId} ${status}: documented without a body`];
    const validate = this.#validator(`${operationId}:response:${status}`, schema, false);
    return validate(body) ? [] : [`${operationId} ${status}: ${this.#ajv.errorsText(validate.errors)}`];
  }

  /** A component schema (loose), to check payloads GitHub sends (webhooks) against. */
  componentValidator(name: string): ValidateFunction {
    return this.#validator(`component:${name}`, { $ref: `#/components/schemas/${name}` }, false);
  }

  /**
   * A minimal instance of a component schema: every required property, with the schema's example or a plain
   * value of its type (the non-null branch of a nullable). What GitHub documents it sends, to build payloads
   * from instead of guessing.
   */
  sample(name: string): Json {
    return this.#sample({ $ref: `#/components/schemas/${name}` }, 0) as Json;
  }

  #sample(node: unknown, depth: number): unknown {
    const schema = this.#resolve(node);
    if (depth > 12) return null;
    for (const key of ['anyOf', 'oneOf'] as const) {
      const options = schema[key] as unknown[] | undefined;
      if (options?.[0] !== undefined) return this.#sample(options[0], depth + 1);
    }
    if (Array.isArray(schema['allOf'])) {
      return Object.assign(
        {},
        ...(schema['allOf'] as unknown[]).map((part) => this.#sample(part, depth + 1)),
      );
    }
    if (schema['example'] !== undefined && schema['type'] !== 'object') return schema['example'];
    if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).find((v) => v !== null);
    switch (schema['type']) {
      case 'integer':
      case 'number':
        return 1;
      case 'boolean':
        return false;
      case 'array':
        return [];
      case 'string':
        return schema['format'] === 'date-time'
          ? '2026-01-01T00:00:00Z'
          : schema['format'] === 'uri'
            ? 'https://example.com/'
            : 'x';
      default: {
        const properties = (schema['properties'] ?? {}) as Json;
        const out: Json = {};
        for (const name of (schema['required'] ?? []) as string[])
          out[name] = properties[name] === undefined ? null : this.#sample(properties[name], depth + 1);
        return out;
      }
    }
  }

  #resolve(node: unknown): Json {
    let schema = (node ?? {}) as Json;
    while (typeof schema['$ref'] === 'string') {
      const ref = schema['$ref'];
      schema = (this.#components['schemas'] as Json)[ref.slice('#/components/schemas/'.length)] as Json;
    }
    return schema;
  }
}
