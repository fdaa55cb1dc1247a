{{/* Parts shared by the ClusterAnalysisTemplates (cluster-analysis-templates.yaml). */}}
{{- define "draingate.templateCommon" -}}
{{- /* The parts every template shares; . is (dict "root" $ "check" "<check>"). */ -}}
{{- $t := .root.Values.analysisTemplates -}}
count: "{{ "{{" }}args.count{{ "}}" }}"
interval: "{{ "{{" }}args.interval{{ "}}" }}"
# Any Failed measurement aborts; consecutive-error-limit Errors in a row abort too; an Inconclusive one
# (too little traffic to judge) pauses the rollout for a human.
failureLimit: {{ $t.failureLimit }}
consecutiveErrorLimit: "{{ "{{" }}args.consecutive-error-limit{{ "}}" }}"
inconclusiveLimit: {{ $t.inconclusiveLimit }}
# The provider's verdict phase, as is: no threshold is repeated here, and Inconclusive stays Inconclusive.
successCondition: result == "Successful"
failureCondition: result == "Failed"
{{- end -}}
{{- define "draingate.tokenArg" -}}
{{- $t := .Values.analysisTemplates -}}
# How many measurements, and how far apart: a finite count serves canary steps and blue-green pre- and
# post-promotion analysis (Argo refuses a metric that runs indefinitely there); "0" runs until the rollout
# ends, for background analysis. One minute is CloudWatch's period, so every measurement sees a new minute.
- name: count
  value: {{ $t.count | quote }}
- name: interval
  value: {{ $t.interval | quote }}
# Errors in a row (AWS unreachable…) before the analysis errors and the rollout aborts. Argo retries an
# errored measurement after 10 s, whatever the interval: 4 errors in a row are about 40 s of trouble.
- name: consecutive-error-limit
  value: {{ $t.consecutiveErrorLimit | toString | quote }}
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
