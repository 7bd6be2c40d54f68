// The strategic merge of Kubernetes itself, for tests: reads a JSON array of {o, m, c} Deployments, and for
// each computes the three-way patch client-go sends (CreateThreeWayMergePatch(o, m, c), overwrite) and the
// object the API server makes of it (StrategicMergePatch on c), and prints the results as a JSON array
// (an {"error": ...} object where either step fails). test/cluster/build-helm.sh builds it.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

type testCase struct {
	O json.RawMessage `json:"o"`
	M json.RawMessage `json:"m"`
	C json.RawMessage `json:"c"`
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	meta, err := strategicpatch.NewPatchMetaFromStruct(&appsv1.Deployment{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := make([]any, 0, len(cases))
	for _, c := range cases {
		patch, err := strategicpatch.CreateThreeWayMergePatch(c.O, c.M, c.C, meta, true)
		if err != nil {
			out = append(out, map[string]string{"error": err.Error()})
			continue
		}
		result, err := strategicpatch.StrategicMergePatch(c.C, patch, &appsv1.Deployment{})
		if err != nil {
			out = append(out, map[string]string{"error": err.Error()})
			continue
		}
		out = append(out, json.RawMessage(result))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
