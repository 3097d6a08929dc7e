package main

// --crds: install CustomResourceDefinitions before kube-controller-manager
// starts. The garbage collector re-reads discovery only every 30s
// (hard-coded in kube-controller-manager), so custom resources of a CRD
// created after it started are garbage-collected up to ~30s late; CRDs
// installed here are known to it from the start.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// crdFiles expands a comma-separated list of files and directories (their
// *.yaml, *.yml and *.json files, not recursive).
func crdFiles(list string) ([]string, error) {
	var files []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		var inDir []string
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".yaml", ".yml", ".json":
				if !e.IsDir() {
					inDir = append(inDir, filepath.Join(p, e.Name()))
				}
			}
		}
		sort.Strings(inDir)
		files = append(files, inDir...)
	}
	return files, nil
}

// readCRDs parses every CustomResourceDefinition in the files; other kinds
// are an error (this is not a general `kubectl apply`).
func readCRDs(files []string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(fh, 4096)
		for {
			obj := map[string]any{}
			err := dec.Decode(&obj)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fh.Close()
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if len(obj) == 0 {
				continue
			}
			u := &unstructured.Unstructured{Object: obj}
			if u.GetKind() == "List" {
				items, _, _ := unstructured.NestedSlice(obj, "items")
				for _, it := range items {
					if m, ok := it.(map[string]any); ok {
						out = append(out, &unstructured.Unstructured{Object: m})
					}
				}
				continue
			}
			out = append(out, u)
		}
		fh.Close()
	}
	for _, u := range out {
		if u.GetKind() != "CustomResourceDefinition" || u.GetAPIVersion() != "apiextensions.k8s.io/v1" {
			return nil, fmt.Errorf("%s %q is not an apiextensions.k8s.io/v1 CustomResourceDefinition", u.GetKind(), u.GetName())
		}
	}
	return out, nil
}

// installCRDs server-side-applies the CRDs and waits until all are Established.
func installCRDs(kubeconfig string, crds []*unstructured.Unstructured, timeout time.Duration) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res := client.Resource(crdGVR)
	force := true
	for _, u := range crds {
		u.SetResourceVersion("")
		data, err := u.MarshalJSON()
		if err != nil {
			return err
		}
		if _, err := res.Patch(ctx, u.GetName(), types.ApplyPatchType, data,
			metav1.PatchOptions{FieldManager: "caravan-controlplane", Force: &force}); err != nil {
			return fmt.Errorf("apply CRD %s: %w", u.GetName(), err)
		}
	}
	for _, u := range crds {
		for {
			got, err := res.Get(ctx, u.GetName(), metav1.GetOptions{})
			if err == nil && established(got) {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("CRD %s not Established after %s", u.GetName(), timeout)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return waitForOpenAPI(ctx, cfg, crds)
}

// waitForOpenAPI waits until each CRD's schema is in the published OpenAPI v3
// document: the API server publishes it a moment after Established, and
// `kubectl explain` fails with "couldn't find resource" until then.
func waitForOpenAPI(ctx context.Context, cfg *rest.Config, crds []*unstructured.Unstructured) error {
	clientset, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	rc := clientset.Discovery().RESTClient()
	for _, u := range crds {
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		versions, _, _ := unstructured.NestedSlice(u.Object, "spec", "versions")
		parts := strings.Split(group, ".")
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
		for _, v := range versions {
			version, _ := v.(map[string]any)["name"].(string)
			// Schema names are the reversed group, the version and the kind: dev.caravan.v1alpha1.NomadJob.
			want := []byte(fmt.Sprintf("%q", strings.Join(parts, ".")+"."+version+"."+kind))
			for {
				body, err := rc.Get().AbsPath("/openapi/v3/apis", group, version).DoRaw(ctx)
				if err == nil && bytes.Contains(body, want) {
					break
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("CRD %s not in the OpenAPI document after waiting", u.GetName())
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
	}
	return nil
}

func established(u *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}
