// A tiny AWS look-alike on 127.0.0.1 for what moto cannot do: refuse (AccessDenied), throttle, never answer,
// and page where moto answers in one page. It speaks the two wire protocols the SDK clients use here:
// ELBv2 is AWS Query (form-encoded request, XML answer), CloudWatch is JSON 1.0 (`x-amz-target`, JSON answer,
// `x-amzn-query-error` for awsQuery-compatible error codes).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the fake received. */
export interface FakeRequest {
  readonly service: 'elbv2' | 'cloudwatch';
  readonly operation: string;
  /** Form fields (ELBv2) or the JSON body (CloudWatch). */
  readonly params: Readonly<Record<string, unknown>>;
}

/** What to answer: a body and status, or nothing at all (the connection stays open until the fake closes). */
export type FakeAnswer =
  | { readonly status: number; readonly body: string; readonly headers?: Readonly<Record<string, string>> }
  | 'hang';

export type FakeHandler = (req: FakeRequest) => FakeAnswer;

/** A running fake: its endpoint, what it received, and `close`. */
export interface FakeAws {
  readonly endpoint: string;
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseRequest(req: IncomingMessage, body: string): FakeRequest {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    return {
      service: 'cloudwatch',
      operation: target.slice(target.indexOf('.') + 1),
      params: body === '' ? {} : (JSON.parse(body) as Record<string, unknown>),
    };
  }
  const form = Object.fromEntries(new URLSearchParams(body));
  return { service: 'elbv2', operation: form.Action ?? '', params: form };
}

/** Starts a fake on an ephemeral port of 127.0.0.1. */
export async function startFakeAws(handler: FakeHandler): Promise<FakeAws> {
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void readBody(req).then((body) => {
      const parsed = parseRequest(req, body);
      requests.push(parsed);
      const answer = handler(parsed);
      if (answer === 'hang') return;
      res.writeHead(answer.status, {
        'content-type': parsed.service === 'cloudwatch' ? 'application/x-amz-json-1.0' : 'text/xml',
        'x-amzn-requestid': `fake-${requests.length}`,
        ...answer.headers,
      });
      res.end(answer.body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const ELB_NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An ELBv2 Query error, as ELBv2 sends it. */
export function elbError(status: number, code: string, message: string): FakeAnswer {
  return {
    status,
    body:
      `<ErrorResponse xmlns="${ELB_NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
  };
}

/** A CloudWatch JSON 1.0 error with the awsQuery-compatible code header real CloudWatch sends. */
export function cloudWatchError(status: number, code: string, message: string): FakeAnswer {
  return {
    status,
    headers: { 'x-amzn-query-error': `${code};Sender` },
    body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${code}`, message }),
  };
}

/** A successful ELBv2 answer: `result` is the inner XML of `<{Operation}Result>`. */
export function elbOk(operation: string, result: string): FakeAnswer {
  return {
    status: 200,
    body:
      `<${operation}Response xmlns="${ELB_NS}"><${operation}Result>${result}</${operation}Result>` +
      `<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

/** XML of one target group member. */
export function targetGroupXml(arn: string, name: string): string {
  return (
    `<member><TargetGroupArn>${arn}</TargetGroupArn><TargetGroupName>${name}</TargetGroupName>` +
    `<Protocol>HTTP</Protocol><Port>8080</Port><TargetType>ip</TargetType><HealthCheckPath>/healthz</HealthCheckPath>` +
    `<HealthCheckIntervalSeconds>15</HealthCheckIntervalSeconds><HealthCheckTimeoutSeconds>5</HealthCheckTimeoutSeconds>` +
    `<HealthyThresholdCount>2</HealthyThresholdCount><UnhealthyThresholdCount>2</UnhealthyThresholdCount>` +
    `<LoadBalancerArns/></member>`
  );
}

/** XML of one DescribeTags member. */
export function tagDescriptionXml(arn: string, tags: Readonly<Record<string, string>>): string {
  const members = Object.entries(tags)
    .map(([k, v]) => `<member><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></member>`)
    .join('');
  return `<member><ResourceArn>${arn}</ResourceArn><Tags>${members}</Tags></member>`;
}

/** Form-encoded list members (`ResourceArns.member.1`, …) of an ELBv2 request, in order. */
export function formList(params: Readonly<Record<string, unknown>>, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; typeof params[`${name}.member.${i}`] === 'string'; i++)
    out.push(params[`${name}.member.${i}`] as string);
  return out;
}
