// Prints an api.Job of Nomad's official Go client with every field set, as
// the client sends it: the fixture test/unit/api/go-client-job.json, which
// the job converter's round-trip test holds every field of. Each string is
// "s-<Field>" and each number distinct, so a field moved to another's place
// shows. Values Nomad gives a fixed form (a volume's map key is its name, a
// dynamic port asks for no number, the scaling and periodic types) are set
// as jobspec2 writes them.
//
// Usage, from test/conformance: go run ./cmd/job-fixture > ../unit/api/go-client-job.json
// then npx biome format --write ../unit/api/go-client-job.json
package main

import (
	"encoding/json"
	"os"
	"reflect"
	"time"

	"github.com/hashicorp/nomad/api"
)

var (
	durationType = reflect.TypeOf(time.Duration(0))
	timeType     = reflect.TypeOf(time.Time{})
	counter      = 0
)

func next() int {
	counter++
	return counter
}

// fill sets every exported field below v, one element per list and map.
func fill(v reflect.Value, name string, depth int) {
	if depth > 40 {
		return
	}
	switch v.Kind() {
	case reflect.Ptr:
		if v.Type().Elem() == timeType {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), name, depth+1)
		v.Set(p)
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				fill(v.Field(i), f.Name, depth+1)
			}
		}
	case reflect.String:
		v.SetString("s-" + name)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.Type() == durationType {
			v.SetInt(int64(time.Duration(60+next()) * time.Second))
		} else {
			v.SetInt(int64(next()))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(next()))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(next()) + 0.5)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("s-" + name))
			return
		}
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), name, depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, name+"Key", depth+1)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, name, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Interface:
		v.Set(reflect.ValueOf("s-" + name))
	}
}

// fix gives the values jobspec2 always writes in one form that form.
func fix(v any, parent string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			fix(e, parent)
		}
	case map[string]any:
		for k, e := range x {
			switch k {
			case "Volumes", "EnvoyGatewayBindAddresses":
				byName := map[string]any{}
				for _, b := range e.(map[string]any) {
					byName[b.(map[string]any)["Name"].(string)] = b
				}
				x[k] = byName
			case "DynamicPorts":
				for _, p := range e.([]any) {
					p.(map[string]any)["Value"] = 0
				}
			case "SpecType":
				x[k] = "cron"
			case "Type":
				switch parent {
				case "Scaling":
					x[k] = "horizontal"
				case "ScalingPolicies":
					x[k] = "vertical_cpu"
				}
			}
			fix(x[k], k)
		}
	}
}

func main() {
	var job api.Job
	fill(reflect.ValueOf(&job).Elem(), "Job", 0)
	raw, err := json.Marshal(&job)
	if err != nil {
		panic(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	fix(doc, "Job")
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(doc); err != nil {
		panic(err)
	}
}
