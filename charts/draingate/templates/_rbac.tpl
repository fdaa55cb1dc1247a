{{/* The RBAC rules of the provider, shared by the ClusterRole and the namespaced Roles (rbac.yaml). */}}
{{- define "draingate.namespacedRules" -}}
- apiGroups: [apps]
  resources: [deployments, statefulsets]
  verbs: [get]
- apiGroups: [argoproj.io]
  resources: [rollouts]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, services]
  verbs: [list]
- apiGroups: [networking.k8s.io]
  resources: [ingresses]
  verbs: [list]
- apiGroups: [elbv2.k8s.aws]
  resources: [targetgroupbindings]
  verbs: [list]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [list]
{{- end -}}
{{- define "draingate.clusterScopedRules" -}}
- apiGroups: [networking.k8s.io]
  resources: [ingressclasses]
  verbs: [list]
- apiGroups: [elbv2.k8s.aws]
  resources: [ingressclassparams]
  verbs: [list]
{{- end -}}
