// Generates the validate benchmark's corpus: N workloads, each a Deployment + Service + Ingress + PDB,
// written as files of 100 workloads (as a repository of manifests would hold them). One in ten is broken
// in a way the rules report (no preStop, default deregistration delay), so the rules have work to do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeCorpus(dir, workloads = 10_000, perFile = 100) {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (let file = 0; file * perFile < workloads; file++) {
    const docs = [];
    for (let i = file * perFile; i < Math.min(workloads, (file + 1) * perFile); i++) docs.push(workload(i));
    const text = docs.join('---\n');
    bytes += text.length;
    writeFileSync(join(dir, `apps-${String(file).padStart(4, '0')}.yaml`), text);
  }
  return { files: Math.ceil(workloads / perFile), documents: workloads * 4, bytes };
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
