// Regenerates the expected outputs in ../go-oracle.json with Go's own
// text/template, so the TypeScript engine is compared with the real thing.
//
//	cd test/unit/template/go-oracle && python3 cases.py && go run main.go
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type oracleFile struct {
	DefaultData json.RawMessage `json:"defaultData"`
	Cases       []testCase      `json:"cases"`
}

type testCase struct {
	Template string `json:"template"`
	// Data replaces defaultData; NoData executes with nil data.
	Data       json.RawMessage `json:"data,omitempty"`
	NoData     bool            `json:"noData,omitempty"`
	MissingKey string          `json:"missingKey,omitempty"`
	LeftDelim  string          `json:"leftDelim,omitempty"`
	RightDelim string          `json:"rightDelim,omitempty"`
	Output     *string         `json:"output,omitempty"`
	Error      *string         `json:"error,omitempty"`
}

// ints stay int, other numbers float64, like the TypeScript side reads them.
func convert(v interface{}) interface{} {
	switch t := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(t), ".eE") {
			i, err := t.Int64()
			if err == nil {
				return int(i)
			}
		}
		f, _ := t.Float64()
		return f
	case []interface{}:
		for i := range t {
			t[i] = convert(t[i])
		}
		return t
	case map[string]interface{}:
		for k := range t {
			t[k] = convert(t[k])
		}
		return t
	}
	return v
}

func main() {
	raw, err := os.ReadFile("../go-oracle.json")
	if err != nil {
		panic(err)
	}
	var file oracleFile
	if err := json.Unmarshal(raw, &file); err != nil {
		panic(err)
	}
	cases := file.Cases
	for i := range cases {
		c := &cases[i]
		c.Output, c.Error = nil, nil
		var data interface{}
		source := c.Data
		if len(source) == 0 && !c.NoData {
			source = file.DefaultData
		}
		if len(source) > 0 {
			dec := json.NewDecoder(bytes.NewReader(source))
			dec.UseNumber()
			if err := dec.Decode(&data); err != nil {
				panic(fmt.Sprintf("case %d: %v", i, err))
			}
			data = convert(data)
		}
		t := template.New("t").Delims(c.LeftDelim, c.RightDelim)
		if c.MissingKey != "" {
			t = t.Option("missingkey=" + c.MissingKey)
		}
		t, err := t.Parse(c.Template)
		if err == nil {
			var out bytes.Buffer
			err = t.Execute(&out, data)
			if err == nil {
				s := out.String()
				c.Output = &s
			}
		}
		if err != nil {
			s := err.Error()
			c.Error = &s
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(file); err != nil {
		panic(err)
	}
	if err := os.WriteFile("../go-oracle.json", buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
}
