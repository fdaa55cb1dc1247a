// Generates the validate benchmark's corpus: N workloads, each a Deployment + Service + Ingress + PDB,
// written as files of 100 workloads (as a repository of manifests would hold them). One in ten is broken
// in a way the rules report (no preStop, default deregistration delay), so the rules have work to do.
// The `gateway` variant routes each workload through an HTTPRoute of its team's ALB Gateway instead of an
// Ingress, its target group settings in a TargetGroupConfiguration for its Service (ip targets, the health
// check path, 30 s but in the broken ones), with one GatewayClass and a Gateway per team.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeCorpus(dir, workloads = 10_000, perFile = 100, variant = 'ingress') {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  let documents = 0;
  const gateway = variant === 'gateway';
  const write = (name, docs) => {
    const text = docs.join('---\n');
    bytes += text.length;
    documents += docs.length;
    writeFileSync(join(dir, name), text);
  };
  for (let file = 0; file * perFile < workloads; file++) {
    const docs = [];
    for (let i = file * perFile; i < Math.min(workloads, (file + 1) * perFile); i++)
      docs.push(...(gateway ? gatewayWorkload(i) : [workload(i)]));
    write(`apps-${String(file).padStart(4, '0')}.yaml`, docs);
  }
  if (gateway) write('gateways.yaml', gateways());
  return {
    files: Math.ceil(workloads / perFile) + (gateway ? 1 : 0),
    workloads,
    documents: gateway ? documents : workloads * 4,
    bytes,
  };
}

const TEAMS = 50;

function gateways() {
  const docs = [
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: aws-alb
spec:
  controllerName: gateway.k8s.aws/alb
`,
  ];
  for (let team = 0; team < TEAMS; team++)
    docs.push(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: web
  namespace: team-${team}
spec:
  gatewayClassName: aws-alb
  listeners:
    - name: http
      protocol: HTTP
      port: 80
`);
  return docs;
}

/** The Ingress variant's workload with an HTTPRoute and a TargetGroupConfiguration in place of the Ingress. */
function gatewayWorkload(i) {
  const name = `app-${i}`;
  const ns = `team-${i % TEAMS}`;
  const broken = i % 10 === 0;
  const [deployment, service, , pdb] = workload(i).split('---\n');
  const delay = broken
    ? ''
    : `
    targetGroupAttributes:
      - key: deregistration_delay.timeout_seconds
        value: "30"`;
  return [
    deployment,
    service,
    `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  parentRefs:
    - name: web
  hostnames:
    - ${name}.example.com
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: /
      backendRefs:
        - name: ${name}
          port: 80
`,
    `apiVersion: gateway.k8s.aws/v1
kind: TargetGroupConfiguration
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  targetReference:
    name: ${name}
  defaultConfiguration:
    targetType: ip
    healthCheckConfig:
      healthCheckPath: /healthz${delay}
`,
    pdb,
  ];
}

function workload(i) {
  const name = `app-${i}`;
  const ns = `team-${i % 50}`;
  const broken = i % 10 === 0;
  const preStop = broken
    ? ''
    : `
          lifecycle:
            preStop:
              sleep:
                seconds: 35`;
  const delay = broken
    ? ''
    : `
    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=30`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${name}
  annotations:
    draingate.io/shutdown-seconds: "10"
spec:
  replicas: 3
  selector:
    matchLabels:
      app: ${name}
  strategy:
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 50
      readinessGates:
        - conditionType: target-health.elbv2.k8s.aws/k8s-${ns.slice(0, 8)}-${name.slice(0, 8)}-0123456789
      containers:
        - name: web
          image: registry.example.com/${name}:1.0.${i}
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            requests: { cpu: 100m, memory: 128Mi }
          readinessProbe:
            httpGet:
              path: /healthz
              port: http${preStop}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${ns}
  annotations:
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/group.name: team-${i % 50}
    alb.ingress.kubernetes.io/healthcheck-path: /healthz${delay}
spec:
  ingressClassName: alb
  rules:
    - host: ${name}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${name}
                port:
                  name: http
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: ${name}
`;
}
