{{/* Parts shared by the ClusterAnalysisTemplates (cluster-analysis-templates.yaml). */}}
{{- define "draingate.templateCommon" -}}
{{- /* The parts every template shares; . is (dict "root" $ "check" "<check>"). */ -}}
{{- $t := .root.Values.analysisTemplates -}}
# One measurement a minute: CloudWatch's period, so every measurement sees a new minute.
interval: {{ $t.interval }}
# Any Failed measurement aborts; four Errors in a row (AWS unreachable…) abort too; an Inconclusive
# one (too little traffic to judge) pauses the rollout for a human.
failureLimit: {{ $t.failureLimit }}
consecutiveErrorLimit: {{ $t.consecutiveErrorLimit }}
inconclusiveLimit: {{ $t.inconclusiveLimit }}
# The provider's verdict phase, as is: no threshold is repeated here, and Inconclusive stays Inconclusive.
successCondition: result == "Successful"
failureCondition: result == "Failed"
{{- end -}}
{{- define "draingate.tokenArg" -}}
# The provider's bearer token, from a Secret in the Rollout's namespace (see examples/argo/secret.yaml).
- name: token
  valueFrom:
    secretKeyRef:
      name: {{ .Values.analysisTemplates.tokenSecret.name }}
      key: {{ .Values.analysisTemplates.tokenSecret.key }}
{{- end -}}
{{- define "draingate.webHead" -}}
method: POST
url: {{ .url }}/v1/checks/{{ .check }}
timeoutSeconds: {{ .root.Values.analysisTemplates.timeoutSeconds }}
headers:
  - key: Authorization
    value: "Bearer {{ "{{" }}args.token{{ "}}" }}"
jsonPath: "{$.phase}"
{{- end -}}
