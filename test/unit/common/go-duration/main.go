// Regenerates ../go-duration.json with Go's own time.ParseDuration and
// Duration.String(), so src/common/duration.ts is compared with the real thing.
//
//	cd test/unit/common/go-duration && go run main.go > ../go-duration.json
package main

import (
	"encoding/json"
	"os"
	"strconv"
	"time"
)

var parseInputs = []string{
	"0", "+0", "-0", "", "+", "-", "0s", "1s", "-1s", "+1s", "1", "10", "s", ".s", "-.s",
	"1.s", ".5s", "1.5s", "1.5.s", "1..5s", "1.5h", "1h30m", "1h30m45s", "30m", "90s",
	"250ms", "1ms", "1us", "1µs", "1μs", "1ns", "1.5µs", "1.0000000001s", "0.0000000001s",
	"1.00000000001h", "10 s", " 10s", "10s ", "1S", "1H", "1d", "1w", "1sm", "1m1", "1h-1m",
	"3h2m1s999ms999us999ns", "1.123456789s", "0.1ns", "0.9ns", "1.9ns", "100000h",
	"2562047h", "2562048h", "2562047h47m16.854775807s", "2562047h47m16.854775808s",
	"-2562047h47m16.854775808s", "-2562047h47m16.854775809s", "9223372036854775807ns",
	"9223372036854775808ns", "-9223372036854775808ns", "-9223372036854775809ns",
	"92233720368547758070ns", "0.9223372036854775807s", "0.99999999999999999999999999h",
	"1.000000000000000000000000000001s", "00001s", "1e3s", "0x10s", "1_000s", "1h 1m",
	"15s", "5m", "24h", "72h", "10m0s", "1h0m0s", "0.5m", ".5", "5.", "-5.m", "1.5e2s",
	"\u00b5s", "1\u00b5", "1\"s", "1\\s", "1\ts", "1\u00e9",
}

var formatInputs = []int64{
	0, 1, 999, 1000, 1001, 1500, 999999, 1000000, 1500000, 999999999, 1000000000,
	1500000000, 60000000000, 90000000000, 3600000000000, 3630000000000, 3601000000000,
	86400000000000, 1234567890123, -1, -1500, -90000000000, 9223372036854775807,
	-9223372036854775808, 100, 123456789, 30000000000, 300000000000, 1800000000000,
}

type parsed struct {
	Input string  `json:"input"`
	Nanos *string `json:"nanos,omitempty"`
	Error *string `json:"error,omitempty"`
}

type formatted struct {
	Nanos  string `json:"nanos"`
	String string `json:"string"`
}

func main() {
	out := struct {
		Parse  []parsed    `json:"parse"`
		Format []formatted `json:"format"`
	}{}
	for _, in := range parseInputs {
		d, err := time.ParseDuration(in)
		p := parsed{Input: in}
		if err != nil {
			e := err.Error()
			p.Error = &e
		} else {
			n := strconv.FormatInt(int64(d), 10)
			p.Nanos = &n
		}
		out.Parse = append(out.Parse, p)
	}
	for _, n := range formatInputs {
		out.Format = append(out.Format, formatted{Nanos: strconv.FormatInt(n, 10), String: time.Duration(n).String()})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
