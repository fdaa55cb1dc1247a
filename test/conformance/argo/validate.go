package main

// argo-judge validate: the reference validation the Rollout controller runs before it acts on a Rollout
// (rollout/controller.go getRolloutValidationErrors: validation.ValidateRollout, then
// validation.ValidateRolloutReferencedResources over the Services, AnalysisTemplates, ClusterAnalysisTemplates
// and Ingresses the Rollout names), on objects read from files instead of informers. A Rollout that fails here is
// one the controller would mark InvalidSpec.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/validation"
	ingressutil "github.com/argoproj/argo-rollouts/utils/ingress"
	goyaml "go.yaml.in/yaml/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

type objects struct {
	rollouts         []v1alpha1.Rollout
	templates        map[string]*v1alpha1.AnalysisTemplate // namespace/name
	clusterTemplates map[string]*v1alpha1.ClusterAnalysisTemplate
	services         map[string]*corev1.Service // namespace/name
	ingresses        map[string]*networkingv1.Ingress
}

type rolloutResult struct {
	Rollout string   `json:"rollout"`
	Errors  []string `json:"errors"`
}

// runValidate reads every file (multi-document YAML), validates each Rollout among them and prints one JSON
// line: [{"rollout": "ns/name", "errors": [...]}]. Exit status 0 whatever the verdicts; 2 when input is unusable.
func runValidate(files []string) {
	objs := objects{
		templates:        map[string]*v1alpha1.AnalysisTemplate{},
		clusterTemplates: map[string]*v1alpha1.ClusterAnalysisTemplate{},
		services:         map[string]*corev1.Service{},
		ingresses:        map[string]*networkingv1.Ingress{},
	}
	for _, file := range files {
		if err := objs.read(file); err != nil {
			fmt.Fprintf(os.Stderr, "argo-judge validate: %s: %v\n", file, err)
			os.Exit(2)
		}
	}
	if len(objs.rollouts) == 0 {
		fmt.Fprintln(os.Stderr, "argo-judge validate: no Rollout in the input")
		os.Exit(2)
	}
	results := []rolloutResult{}
	for i := range objs.rollouts {
		ro := &objs.rollouts[i]
		if ro.Namespace == "" {
			ro.Namespace = "default"
		}
		errs := []string{}
		for _, e := range objs.validate(ro) {
			errs = append(errs, e.Error())
		}
		results = append(results, rolloutResult{Rollout: ro.Namespace + "/" + ro.Name, Errors: errs})
	}
	out, err := json.Marshal(results)
	if err != nil {
		fmt.Fprintf(os.Stderr, "argo-judge validate: %v\n", err)
		os.Exit(2)
	}
	fmt.Println(string(out))
}

func (o *objects) read(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	decoder := goyaml.NewDecoder(bytes.NewReader(raw))
	for {
		var value any
		if err := decoder.Decode(&value); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if value == nil {
			continue
		}
		doc, err := goyaml.Marshal(value)
		if err != nil {
			return err
		}
		var un unstructured.Unstructured
		if err := yaml.Unmarshal(doc, &un.Object); err != nil {
			return err
		}
		gvk := un.GroupVersionKind()
		key := un.GetNamespace() + "/" + un.GetName()
		// Strict decoding, as the API server's strict field validation: a misspelt field is an error here
		// instead of a field Argo would never see.
		switch {
		case gvk.Group == "argoproj.io" && gvk.Kind == "Rollout":
			var ro v1alpha1.Rollout
			if err := yaml.UnmarshalStrict(doc, &ro); err != nil {
				return fmt.Errorf("Rollout %s: %w", key, err)
			}
			o.rollouts = append(o.rollouts, ro)
		case gvk.Group == "argoproj.io" && gvk.Kind == "AnalysisTemplate":
			var t v1alpha1.AnalysisTemplate
			if err := yaml.UnmarshalStrict(doc, &t); err != nil {
				return fmt.Errorf("AnalysisTemplate %s: %w", key, err)
			}
			o.templates[key] = &t
		case gvk.Group == "argoproj.io" && gvk.Kind == "ClusterAnalysisTemplate":
			var t v1alpha1.ClusterAnalysisTemplate
			if err := yaml.UnmarshalStrict(doc, &t); err != nil {
				return fmt.Errorf("ClusterAnalysisTemplate %s: %w", un.GetName(), err)
			}
			o.clusterTemplates[un.GetName()] = &t
		case gvk.Group == "" && gvk.Kind == "Service":
			var s corev1.Service
			if err := yaml.UnmarshalStrict(doc, &s); err != nil {
				return fmt.Errorf("Service %s: %w", key, err)
			}
			o.services[key] = &s
		case gvk.Group == "networking.k8s.io" && gvk.Kind == "Ingress":
			var ing networkingv1.Ingress
			if err := yaml.UnmarshalStrict(doc, &ing); err != nil {
				return fmt.Errorf("Ingress %s: %w", key, err)
			}
			o.ingresses[key] = &ing
		}
	}
}

// validate follows getRolloutValidationErrors, returning every error instead of the first.
func (o *objects) validate(ro *v1alpha1.Rollout) field.ErrorList {
	errs := validation.ValidateRollout(ro)
	refs := validation.ReferencedResources{}

	services, err := o.referencedServices(ro)
	if err != nil {
		return append(errs, err)
	}
	refs.ServiceWithType = services

	analyses, err := o.referencedAnalyses(ro)
	if err != nil {
		return append(errs, err)
	}
	refs.AnalysisTemplatesWithType = analyses

	if err := validation.ValidateRolloutAlbIngressesConfig(ro); err != nil {
		return append(errs, toFieldError(err))
	}
	ingresses, err := o.referencedALBIngresses(ro)
	if err != nil {
		return append(errs, err)
	}
	refs.Ingresses = ingresses

	return append(errs, validation.ValidateRolloutReferencedResources(ro, refs)...)
}

func toFieldError(err error) *field.Error {
	var fe *field.Error
	if errors.As(err, &fe) {
		return fe
	}
	return field.InternalError(field.NewPath("spec"), err)
}

// referencedServices is the controller's getReferencedServices: a named Service that does not exist is an error.
func (o *objects) referencedServices(ro *v1alpha1.Rollout) ([]validation.ServiceWithType, *field.Error) {
	var out []validation.ServiceWithType
	add := func(name string, t validation.ServiceType) *field.Error {
		if name == "" {
			return nil
		}
		svc, ok := o.services[ro.Namespace+"/"+name]
		if !ok {
			return field.Invalid(validation.GetServiceWithTypeFieldPath(t), name, fmt.Sprintf("services %q not found", name))
		}
		out = append(out, validation.ServiceWithType{Service: svc, Type: t})
		return nil
	}
	if bg := ro.Spec.Strategy.BlueGreen; bg != nil {
		for _, s := range []struct {
			name string
			t    validation.ServiceType
		}{{bg.ActiveService, validation.ActiveService}, {bg.PreviewService, validation.PreviewService}} {
			if err := add(s.name, s.t); err != nil {
				return nil, err
			}
		}
	} else if c := ro.Spec.Strategy.Canary; c != nil {
		if err := add(c.StableService, validation.StableService); err != nil {
			return nil, err
		}
		if err := add(c.CanaryService, validation.CanaryService); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// referencedAnalyses is the controller's getReferencedRolloutAnalyses.
func (o *objects) referencedAnalyses(ro *v1alpha1.Rollout) ([]validation.AnalysisTemplatesWithType, *field.Error) {
	out := []validation.AnalysisTemplatesWithType{}
	add := func(a *v1alpha1.RolloutAnalysis, t validation.AnalysisTemplateType, step int) *field.Error {
		fldPath := validation.GetAnalysisTemplateWithTypeFieldPath(t, step)
		templates, clusterTemplates, err := o.templatesFromRefs(ro.Namespace, a.Templates, fldPath)
		if err != nil {
			return err
		}
		out = append(out, validation.AnalysisTemplatesWithType{
			AnalysisTemplates:        templates,
			ClusterAnalysisTemplates: clusterTemplates,
			TemplateType:             t,
			CanaryStepIndex:          step,
			Args:                     a.Args,
		})
		return nil
	}
	if bg := ro.Spec.Strategy.BlueGreen; bg != nil {
		if bg.PrePromotionAnalysis != nil {
			if err := add(bg.PrePromotionAnalysis, validation.PrePromotionAnalysis, 0); err != nil {
				return nil, err
			}
		}
		if bg.PostPromotionAnalysis != nil {
			if err := add(bg.PostPromotionAnalysis, validation.PostPromotionAnalysis, 0); err != nil {
				return nil, err
			}
		}
	} else if c := ro.Spec.Strategy.Canary; c != nil {
		for i, step := range c.Steps {
			if step.Analysis != nil {
				if err := add(step.Analysis, validation.InlineAnalysis, i); err != nil {
					return nil, err
				}
			}
		}
		if c.Analysis != nil {
			if err := add(&c.Analysis.RolloutAnalysis, validation.BackgroundAnalysis, 0); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// templatesFromRefs is the controller's getReferencedAnalysisTemplatesFromRef, nested templates included. Each
// call hands out copies: Argo's validation writes placeholder values into the args it is given.
func (o *objects) templatesFromRefs(namespace string, refs []v1alpha1.AnalysisTemplateRef, fldPath *field.Path) ([]*v1alpha1.AnalysisTemplate, []*v1alpha1.ClusterAnalysisTemplate, *field.Error) {
	templates := []*v1alpha1.AnalysisTemplate{}
	clusterTemplates := []*v1alpha1.ClusterAnalysisTemplate{}
	for _, ref := range refs {
		var nested []v1alpha1.AnalysisTemplateRef
		if ref.IsClusterScope() {
			t, ok := o.clusterTemplates[ref.TemplateName]
			if !ok {
				return nil, nil, field.Invalid(fldPath, ref.TemplateName, fmt.Sprintf("ClusterAnalysisTemplate '%s' not found", ref.TemplateName))
			}
			clusterTemplates = append(clusterTemplates, t.DeepCopy())
			nested = t.Spec.Templates
		} else {
			t, ok := o.templates[namespace+"/"+ref.TemplateName]
			if !ok {
				return nil, nil, field.Invalid(fldPath, ref.TemplateName, fmt.Sprintf("AnalysisTemplate '%s' not found", ref.TemplateName))
			}
			templates = append(templates, t.DeepCopy())
			nested = t.Spec.Templates
		}
		if len(nested) > 0 {
			inner, innerCluster, err := o.templatesFromRefs(namespace, nested, field.NewPath("spec", "templates"))
			if err != nil {
				return nil, nil, err
			}
			templates = append(templates, inner...)
			clusterTemplates = append(clusterTemplates, innerCluster...)
		}
	}
	return templates, clusterTemplates, nil
}

// referencedALBIngresses is the controller's getReferencedALBIngresses (the only traffic router draingate's
// examples use).
func (o *objects) referencedALBIngresses(ro *v1alpha1.Rollout) ([]ingressutil.Ingress, *field.Error) {
	out := []ingressutil.Ingress{}
	c := ro.Spec.Strategy.Canary
	if c == nil || c.TrafficRouting == nil || c.TrafficRouting.ALB == nil {
		return out, nil
	}
	names := c.TrafficRouting.ALB.Ingresses
	fldPath := field.NewPath("spec", "strategy", "canary", "trafficRouting", "alb", "ingresses")
	if names == nil {
		names = []string{c.TrafficRouting.ALB.Ingress}
		fldPath = field.NewPath("spec", "strategy", "canary", "trafficRouting", "alb", "ingress")
	}
	for _, name := range names {
		ing, ok := o.ingresses[ro.Namespace+"/"+name]
		if !ok {
			return nil, field.Invalid(fldPath, name, fmt.Sprintf("ingress.networking.k8s.io %q not found", name))
		}
		out = append(out, *ingressutil.NewIngress(ing))
	}
	return out, nil
}
