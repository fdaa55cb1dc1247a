// Command argo-judge takes one measurement of a web metric exactly as Argo Rollouts' analysis controller
// would, using Argo's own webmetric provider and condition evaluation at the release pinned in go.mod, and
// prints the measurement as JSON: {"phase": ..., "value": ..., "message": ...}.
//
// Usage:
//
//	argo-judge [-url URL] < metric.yaml
//	argo-judge [-url URL] -metric metric.yaml
//	argo-judge validate FILE...
//
// The input is one entry of an AnalysisTemplate's spec.metrics, with its args already substituted. -url
// replaces provider.web.url, so a template can be judged against a server on a random loopback port.
//
// validate runs the Rollout controller's reference validation on the Rollouts among the files (see validate.go).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/argoproj/argo-rollouts/metricproviders/webmetric"
	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	metricutil "github.com/argoproj/argo-rollouts/utils/metric"
	log "github.com/sirupsen/logrus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

type verdict struct {
	Phase   v1alpha1.AnalysisPhase `json:"phase"`
	Value   string                 `json:"value"`
	Message string                 `json:"message"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "validate" {
		runValidate(os.Args[2:])
		return
	}
	metricPath := flag.String("metric", "-", "file holding one metrics[] entry as YAML or JSON; - reads stdin")
	urlOverride := flag.String("url", "", "replaces provider.web.url")
	flag.Parse()

	metric, err := readMetric(*metricPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "argo-judge: %v\n", err)
		os.Exit(2)
	}
	if *urlOverride != "" {
		metric.Provider.Web.URL = *urlOverride
	}

	m := measure(metric)
	out, err := json.Marshal(verdict{Phase: m.Phase, Value: m.Value, Message: m.Message})
	if err != nil {
		fmt.Fprintf(os.Stderr, "argo-judge: %v\n", err)
		os.Exit(2)
	}
	fmt.Println(string(out))
}

func readMetric(path string) (v1alpha1.Metric, error) {
	var metric v1alpha1.Metric
	var raw []byte
	var err error
	if path == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return metric, err
	}
	// UnmarshalStrict turns a misspelt field into an error instead of a metric that silently differs from the
	// one the test author meant; the API server would prune or reject it as well.
	if err := yaml.UnmarshalStrict(raw, &metric); err != nil {
		return metric, fmt.Errorf("metric spec: %w", err)
	}
	if metric.Provider.Web == nil {
		return metric, errors.New("metric spec: provider.web is required")
	}
	return metric, nil
}

// measure mirrors the analysis controller: build the provider the way metricproviders.NewProvider does for the
// Web type (a construction error becomes an Error measurement), run it once, and stamp FinishedAt on a
// completed measurement.
func measure(metric v1alpha1.Metric) v1alpha1.Measurement {
	logger := log.New()
	logger.SetOutput(os.Stderr)
	logCtx := *log.NewEntry(logger).WithField("metric", metric.Name)

	run := &v1alpha1.AnalysisRun{
		ObjectMeta: metav1.ObjectMeta{Name: "argo-judge", Namespace: "default"},
		Spec:       v1alpha1.AnalysisRunSpec{Metrics: []v1alpha1.Metric{metric}},
	}

	client, err := webmetric.NewWebMetricHttpClient(metric)
	if err != nil {
		return providerError(err)
	}
	parser, err := webmetric.NewWebMetricJsonParser(metric)
	if err != nil {
		return providerError(err)
	}
	provider := webmetric.NewWebMetricProvider(logCtx, client, parser)

	m := provider.Run(run, metric)
	if m.Phase.Completed() && m.FinishedAt == nil {
		now := metav1.Now()
		m.FinishedAt = &now
	}
	return m
}

func providerError(err error) v1alpha1.Measurement {
	now := metav1.Now()
	return metricutil.MarkMeasurementError(v1alpha1.Measurement{StartedAt: &now}, err)
}
