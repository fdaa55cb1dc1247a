{{/* The chart name, for app.kubernetes.io/name. */}}
{{- define "draingate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The base name of every namespaced object: <release>-analysis-provider, so that the default release "draingate"
gives draingate-analysis-provider, the host examples/argo/ uses.
*/}}
{{- define "draingate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-analysis-provider" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "draingate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable for the life of a release (a Deployment's selector is immutable). */}}
{{- define "draingate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "draingate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: analysis-provider
{{- end -}}

{{- define "draingate.labels" -}}
helm.sh/chart: {{ include "draingate.chart" . }}
{{ include "draingate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: draingate
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "draingate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "draingate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "draingate.tokensSecretName" -}}
{{- default (printf "%s-tokens" (include "draingate.fullname" .)) .Values.tokens.existingSecret -}}
{{- end -}}

{{- define "draingate.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The provider's base URL inside the cluster, as the ClusterAnalysisTemplates call it. */}}
{{- define "draingate.url" -}}
{{- printf "http://%s.%s.svc:%d" (include "draingate.fullname" .) .Release.Namespace (int .Values.service.port) -}}
{{- end -}}

{{/* The provider's configuration file: .Values.config without empty strings and empty maps or lists. */}}
{{- define "draingate.configFile" -}}
{{- $out := dict -}}
{{- range $key, $value := .Values.config -}}
{{- if kindIs "string" $value -}}
{{- if ne $value "" }}{{ $_ := set $out $key $value }}{{ end -}}
{{- else if or (kindIs "map" $value) (kindIs "slice" $value) -}}
{{- if not (empty $value) }}{{ $_ := set $out $key $value }}{{ end -}}
{{- else if not (kindIs "invalid" $value) -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Refuses drain timing that would cut the provider's own requests: grace > preStop + shutdown. */}}
{{- define "draingate.checkDrain" -}}
{{- $d := .Values.drain -}}
{{- $needed := add (int $d.preStopSleepSeconds) (int $d.shutdownDelaySeconds) (int $d.shutdownTimeoutSeconds) -}}
{{- if le (int $d.terminationGracePeriodSeconds) (int $needed) -}}
{{- fail (printf "drain.terminationGracePeriodSeconds (%d) must be greater than drain.preStopSleepSeconds + drain.shutdownDelaySeconds + drain.shutdownTimeoutSeconds (%d + %d + %d = %d): the kubelet would kill the provider in the middle of its shutdown" (int $d.terminationGracePeriodSeconds) (int $d.preStopSleepSeconds) (int $d.shutdownDelaySeconds) (int $d.shutdownTimeoutSeconds) (int $needed)) -}}
{{- end -}}
{{- end -}}

{{/* Mistakes that span several values, which the schema cannot express. */}}
{{- define "draingate.checkValues" -}}
{{- $t := .Values.analysisTemplates -}}
{{- if and $t.enabled (le (mul (int $t.timeoutSeconds) 1000) (int .Values.config.deadlineMs)) -}}
{{- fail (printf "analysisTemplates.timeoutSeconds (%d s) must be longer than config.deadlineMs (%d ms): Argo would give up before the provider answers, and every slow measurement would be an Error" (int $t.timeoutSeconds) (int .Values.config.deadlineMs)) -}}
{{- end -}}
{{- $pdb := .Values.podDisruptionBudget -}}
{{- if and $pdb.enabled (not (kindIs "string" $pdb.minAvailable)) (not .Values.autoscaling.enabled) (ge (int $pdb.minAvailable) (int .Values.replicaCount)) -}}
{{- fail (printf "podDisruptionBudget.minAvailable (%d) must be below replicaCount (%d): otherwise no pod may ever be evicted and node drains block" (int $pdb.minAvailable) (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and $pdb.enabled (not (kindIs "string" $pdb.minAvailable)) .Values.autoscaling.enabled (ge (int $pdb.minAvailable) (int .Values.autoscaling.minReplicas)) -}}
{{- fail (printf "podDisruptionBudget.minAvailable (%d) must be below autoscaling.minReplicas (%d): otherwise no pod may be evicted at the minimum scale and node drains block" (int $pdb.minAvailable) (int .Values.autoscaling.minReplicas)) -}}
{{- end -}}
{{- if and .Values.ingress.enabled .Values.networkPolicy.enabled -}}
{{- $ipBlocks := 0 -}}
{{- range (concat .Values.networkPolicy.from .Values.networkPolicy.metricsFrom) }}{{ if .ipBlock }}{{ $ipBlocks = add1 $ipBlocks }}{{ end }}{{ end -}}
{{- if eq $ipBlocks 0 -}}
{{- fail "ingress and networkPolicy are both enabled, but no networkPolicy.from peer is an ipBlock: the ALB reaches ip targets from its own addresses in the VPC, which no pod or namespace selector matches, so every health check and request would be dropped. Add the VPC's CIDR, e.g. networkPolicy.from: [{ipBlock: {cidr: 10.0.0.0/16}}]" -}}
{{- end -}}
{{- end -}}
{{- end -}}
