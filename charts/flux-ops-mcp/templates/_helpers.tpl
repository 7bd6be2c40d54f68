{{- define "flux-ops-mcp.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's name, with the chart's unless the release name holds it already. */}}
{{- define "flux-ops-mcp.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "flux-ops-mcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flux-ops-mcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "flux-ops-mcp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "flux-ops-mcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "flux-ops-mcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "flux-ops-mcp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Refuses values the server would refuse at start, with the reason, at install time. */}}
{{- define "flux-ops-mcp.validate" -}}
{{- if and (not .Values.auth.tokens.existingSecret) (not .Values.auth.oidc.issuer) }}
{{- fail "flux-ops-mcp listens on the pod's address: set auth.tokens.existingSecret or auth.oidc.issuer (anyone who can reach it could otherwise operate your clusters)" }}
{{- end }}
{{- if and .Values.auth.oidc.issuer (not .Values.auth.oidc.audience) }}
{{- fail "auth.oidc.issuer needs auth.oidc.audience" }}
{{- end }}
{{- if and (or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled) (not .Values.stateless) (not .Values.sessionAffinity) }}
{{- fail "MCP sessions live in the replica that opened them: with replicaCount > 1 or autoscaling, set stateless: true or sessionAffinity: true" }}
{{- end }}
{{- end }}
