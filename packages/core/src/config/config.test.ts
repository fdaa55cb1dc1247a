import { describe, expect, it } from 'vitest';
import { describeProvenance } from '../model/provenance.js';
import { clusterFactsFrom, parseConfig } from './config.js';

describe('cluster facts in .draingate.yaml', () => {
  it('reads every fact, with the file as their source', () => {
    const parsed = parseConfig(
      [
        'cluster:',
        '  albIngressClasses: [alb, internal-alb]',
        '  albGatewayClasses: [aws-alb]',
        '  nlbGatewayClasses: [aws-nlb, edge-nlb]',
        '  defaultIngressClass: internal-alb',
        '  defaultTargetType: ip',
        '  serviceMutatorWebhook: true',
        '  eksAutoMode: false',
        '',
      ].join('\n'),
      '.draingate.yaml',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    const cluster = parsed.config.cluster;
    expect(cluster).toMatchObject({
      albIngressClasses: ['alb', 'internal-alb'],
      albGatewayClasses: ['aws-alb'],
      nlbGatewayClasses: ['aws-nlb', 'edge-nlb'],
      defaultIngressClass: 'internal-alb',
      defaultTargetType: { value: 'ip' },
      serviceMutatorWebhook: true,
      eksAutoMode: false,
      source: '.draingate.yaml',
    });
    expect(describeProvenance(cluster!.defaultTargetType!.from)).toBe(
      "the controller's --default-target-type, cluster.defaultTargetType: ip in .draingate.yaml",
    );
  });

  it.each([
    {
      name: 'cluster that is not a mapping',
      text: 'cluster: [alb]\n',
      at: { line: 1, column: 1 },
      field: 'cluster',
      message:
        'must be a mapping of cluster facts (albIngressClasses, albGatewayClasses, nlbGatewayClasses, defaultIngressClass, defaultTargetType, serviceMutatorWebhook, eksAutoMode)',
    },
    {
      name: 'albIngressClasses that is one name, not a list',
      text: 'cluster:\n  albIngressClasses: alb\n',
      at: { line: 2, column: 22 },
      field: 'cluster.albIngressClasses',
      message: 'must be a list of IngressClass names such as [alb]',
    },
    {
      name: 'an IngressClass name Kubernetes would refuse',
      text: 'cluster:\n  albIngressClasses: [alb, Internal_ALB]\n',
      at: { line: 2, column: 22 },
      field: 'cluster.albIngressClasses',
      message: `must be an IngressClass name (lower-case letters, digits, '-' and '.'), got "Internal_ALB"`,
    },
    {
      name: 'nlbGatewayClasses that is one name, not a list',
      text: 'cluster:\n  nlbGatewayClasses: aws-nlb\n',
      at: { line: 2, column: 22 },
      field: 'cluster.nlbGatewayClasses',
      message: 'must be a list of GatewayClass names such as [aws-alb]',
    },
    {
      name: 'a GatewayClass name Kubernetes would refuse',
      text: 'cluster:\n  albGatewayClasses: [gateway.k8s.aws/alb]\n',
      at: { line: 2, column: 22 },
      field: 'cluster.albGatewayClasses',
      message: `must be a GatewayClass name (lower-case letters, digits, '-' and '.'), got "gateway.k8s.aws/alb"`,
    },
    {
      name: 'a default class that is a number',
      text: 'cluster:\n  defaultIngressClass: 7\n',
      at: { line: 2, column: 24 },
      field: 'cluster.defaultIngressClass',
      message: `must be an IngressClass name (lower-case letters, digits, '-' and '.'), got 7`,
    },
    {
      name: 'a target type that is neither ip nor instance',
      text: 'cluster:\n  defaultTargetType: IP\n',
      at: { line: 2, column: 22 },
      field: 'cluster.defaultTargetType',
      message: 'must be ip or instance, got "IP"',
    },
    {
      name: 'a webhook flag written as a string',
      text: 'cluster:\n  serviceMutatorWebhook: "yes"\n',
      at: { line: 2, column: 26 },
      field: 'cluster.serviceMutatorWebhook',
      message: 'must be true or false, got "yes"',
    },
    {
      name: 'Auto Mode written as a number',
      text: 'cluster:\n  eksAutoMode: 1\n',
      at: { line: 2, column: 16 },
      field: 'cluster.eksAutoMode',
      message: 'must be true or false, got 1',
    },
  ])('$name → an error with its line and field', ({ text, at, field, message }) => {
    const parsed = parseConfig(text, '.draingate.yaml');
    expect(parsed.errors).toEqual([{ at: { file: '.draingate.yaml', ...at }, field, message }]);
    expect(parsed.config.cluster).toBeUndefined();
  });

  it('an unknown fact is a warning that lists the known ones', () => {
    const parsed = parseConfig('cluster:\n  ingressClass: alb\n', '.draingate.yaml');
    expect(parsed.errors).toEqual([]);
    expect(parsed.warnings).toEqual([
      {
        at: { file: '.draingate.yaml', line: 2, column: 3 },
        field: 'cluster.ingressClass',
        message:
          'unknown cluster fact (known: albIngressClasses, albGatewayClasses, nlbGatewayClasses, defaultIngressClass, defaultTargetType, serviceMutatorWebhook, eksAutoMode)',
      },
    ]);
  });

  it('flags win over the file, fact by fact', () => {
    const { config } = parseConfig(
      'cluster:\n  albIngressClasses: [internal]\n  defaultTargetType: instance\n  serviceMutatorWebhook: true\n',
      '.draingate.yaml',
    );
    const cluster = clusterFactsFrom(config, { defaultTargetType: 'ip', albIngressClass: ['public'] });
    expect(cluster.albIngressClasses).toEqual(['public']);
    expect(cluster.defaultTargetType?.value).toBe('ip');
    expect(describeProvenance(cluster.defaultTargetType!.from)).toBe(
      "the controller's --default-target-type, --default-target-type ip",
    );
    expect(cluster.serviceMutatorWebhook).toBe(true);
  });
});
