{{/*
Names and labels as the original banzaicloud/imps chart made them, so that `helm upgrade` of an
existing release keeps every object (and the Deployment's immutable selector) in place:
objects are "<fullname>-controller", the default ImagePullSecret "<fullname>-controller-default".
*/}}
{{- define "imagepullsecrets.name" -}}
{{ .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>, or <release>-<name> unless the release name already contains the name. */}}
{{- define "imagepullsecrets.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{ .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if .Values.nameOverride -}}
{{- if contains .Values.nameOverride .Release.Name -}}
{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else -}}
{{ printf "%s-%s" .Release.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else -}}
{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end -}}
{{- end }}

{{- define "imagepullsecrets.controller" -}}
{{ include "imagepullsecrets.fullname" . }}-controller
{{- end }}

{{- define "imagepullsecrets.selectorLabels" -}}
app.kubernetes.io/name: {{ include "imagepullsecrets.name" . }}-controller
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "imagepullsecrets.labels" -}}
app: {{ include "imagepullsecrets.controller" . }}
{{ include "imagepullsecrets.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: imagepullsecret-controller
app.kubernetes.io/part-of: {{ include "imagepullsecrets.name" . }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
