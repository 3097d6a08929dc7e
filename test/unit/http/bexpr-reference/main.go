// Evaluates the filter expressions of cases.json with go-bexpr, the library
// Nomad's HTTP API uses, against the JSON objects of cases.json, and prints
// each expression's result or error as JSON. Its output is checked in as
// expected.json; test/unit/http/filter.test.ts holds Caravan's
// filter to it. Rerun after changing cases.json:
//
//	go run . < ../filter-cases.json > ../filter-expected.json
//	npx biome format --write ..
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/hashicorp/go-bexpr"
)

type cases struct {
	Objects     map[string]json.RawMessage `json:"objects"`
	Expressions []string                   `json:"expressions"`
}

// outcome is one expression against one object: a match, or why not.
type outcome struct {
	Match      *bool  `json:"match,omitempty"`
	ParseError bool   `json:"parseError,omitempty"`
	EvalError  string `json:"evalError,omitempty"`
	// go-bexpr panics on a few inputs (matches against null); Caravan answers an error.
	Panic string `json:"panic,omitempty"`
}

func evaluate(eval *bexpr.Evaluator, obj any) (o outcome) {
	defer func() {
		if r := recover(); r != nil {
			o = outcome{Panic: fmt.Sprint(r)}
		}
	}()
	match, err := eval.Evaluate(obj)
	if err != nil {
		return outcome{EvalError: err.Error()}
	}
	return outcome{Match: &match}
}

func main() {
	var in cases
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := map[string]map[string]outcome{}
	for _, expr := range in.Expressions {
		results := map[string]outcome{}
		eval, err := bexpr.CreateEvaluator(expr)
		for name, raw := range in.Objects {
			if err != nil {
				results[name] = outcome{ParseError: true}
				continue
			}
			// Integers decode as int64 and fractions as float64, as Nomad's
			// structs hold them (go-bexpr converts json.Number so).
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var obj any
			if err := dec.Decode(&obj); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			results[name] = evaluate(eval, obj)
		}
		out[expr] = results
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
