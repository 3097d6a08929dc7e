# The templates of ../go-oracle.json. Regenerate the file with
#   python3 cases.py && go run main.go
# (cases.py writes the templates and data, main.go fills in what Go's
# text/template outputs for each).
import os
import json
D = {"Name":"web","Port":8080,"Ratio":0.25,"Tags":["b","a","c"],"Empty":[],"EmptyMap":{},"Nil":None,"True":True,"False":False,
     "M":{"b":2,"a":1,"c":3},"Nested":{"Inner":{"Value":"deep"}},"Str":"hello","Zero":0,"Neg":-42,"F":3.5,
     "Users":[{"Name":"ann","Admin":True},{"Name":"bob","Admin":False}],"Html":"<a href='x'>&\"</a>"}
cases = []
def c(t, data=D, **kw):
    d = {"template": t}
    if data is None: d["noData"] = True
    elif data is not D: d["data"] = data
    d.update(kw)
    cases.append(d)
# text, fields, printing
for t in ["plain text", "{{.Name}}", "{{.Port}}", "{{.Ratio}}", "{{.Tags}}", "{{.M}}", "{{.Nested.Inner.Value}}", "{{.Nested.Inner}}",
          "{{.Missing}}", "{{.Missing.Deeper}}", "{{.Nil}}", "{{.Nil.X}}", "{{.Name.X}}", "{{.Tags.X}}", "{{.}}", "{{.Empty}}", "{{.EmptyMap}}",
          "{{.True}} {{.False}}", "{{.F}}", "{{.Neg}}", "{{.Users}}", "{{$}}", "{{$.Name}}", "{{.Name 1}}", "{{.Name | .Port}}"]:
    c(t)
c("{{.}}", None); c("{{.X}}", None); c("{{printf \"%v\" .}}", None)
# literals
for t in ["{{1}} {{-1}} {{+1}} {{1.5}} {{1e3}} {{1e6}} {{1e21}} {{123456.0}} {{1234567.0}} {{0.0001}} {{0.00001}}",
          "{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{'a'}} {{'\\n'}} {{0x1p4}} {{.5}}",
          "{{\"a\\tb\\u00e9\"}} {{`raw\\n`}} {{true}} {{false}}", "{{nil}}", "{{1 2}}", "{{\"x\" 1}}",
          "{{1.2.3}}", "{{3.0}}", "{{9223372036854775807}}", "{{9223372036854775808}}", "{{18446744073709551616}}", "{{1e400}}", "{{0x}}", "{{1a}}"]:
    c(t)
# whitespace trimming
for t in ["a  {{- .Name -}}  b", "a {{- .Name}} b", "a {{.Name -}} b", "a\n\n  {{- .Name -}}\n\n  b", "{{- .Name -}}",
          "x {{-3}} y", "x {{- 3}} y", "x {{3 -}} y", "x {{3-}} y", "a {{/* comment */}} b", "a {{- /* comment */ -}} b",
          "a {{/* multi\nline */}} b", "{{ /* not a comment */ }}", "{{/* unclosed", "{{/* c */ x}}", "a\t{{- \"z\" -}}\r\nb",
          "{{if .True -}}\n  yes\n{{- end}}", "{{range .Tags -}}\n  {{.}}\n{{- end}}"]:
    c(t)
# if / else / with / range
for t in ["{{if .True}}T{{end}}", "{{if .False}}T{{else}}F{{end}}", "{{if .Missing}}T{{else}}F{{end}}", "{{if .Nil}}T{{else}}F{{end}}",
          "{{if .Empty}}T{{else}}F{{end}}", "{{if .EmptyMap}}T{{else}}F{{end}}", "{{if .Zero}}T{{else}}F{{end}}", "{{if .Str}}T{{else}}F{{end}}",
          "{{if 0.0}}T{{else}}F{{end}}", "{{if \"\"}}T{{else}}F{{end}}", "{{if .Users}}T{{end}}",
          "{{if eq .Port 80}}a{{else if eq .Port 8080}}b{{else}}c{{end}}", "{{if false}}a{{else if false}}b{{else if true}}c{{end}}",
          "{{with .Nested.Inner}}{{.Value}}{{end}}", "{{with .Missing}}x{{else}}none{{end}}", "{{with .Nested}}{{.Inner.Value}}{{else}}no{{end}}",
          "{{with $x := .Name}}{{$x}}-{{.}}{{end}}", "{{with .Missing}}a{{else with .Name}}{{.}}{{end}}",
          "{{range .Tags}}[{{.}}]{{end}}", "{{range $i, $t := .Tags}}{{$i}}:{{$t}} {{end}}", "{{range $t := .Tags}}{{$t}}{{end}}",
          "{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}", "{{range .M}}{{.}}{{end}}", "{{range .Empty}}x{{else}}empty{{end}}",
          "{{range .Missing}}x{{else}}none{{end}}", "{{range .Nil}}x{{else}}nil{{end}}", "{{range .EmptyMap}}x{{else}}e{{end}}",
          "{{range .Name}}x{{end}}", "{{range .True}}x{{end}}", "{{range 3}}{{.}}{{end}}", "{{range $i := 3}}{{$i}}{{end}}", "{{range $i, $j := 3}}{{end}}",
          "{{range .Users}}{{if .Admin}}{{.Name}} is admin{{end}}{{end}}", "{{range .Tags}}{{if eq . \"a\"}}{{break}}{{end}}{{.}}{{end}}",
          "{{range .Tags}}{{if eq . \"a\"}}{{continue}}{{end}}{{.}}{{end}}", "{{break}}", "{{range .Tags}}{{end}}{{continue}}",
          "{{range .Tags}}{{$.Name}}-{{.}} {{end}}", "{{range $i, $u := .Users}}{{$i}}{{$u.Name}}{{end}}",
          "{{if .True}}{{$x := 1}}{{$x}}{{end}}", "{{$x := 1}}{{if .True}}{{$x = 2}}{{end}}{{$x}}", "{{$x := .Name}}{{$x}}{{$x := 3}}{{$x}}",
          "{{$x}}", "{{if .True}}{{$y := 1}}{{end}}{{$y}}", "{{$x = 1}}", "{{range $i, $v = .Tags}}{{end}}",
          "{{$i := 0}}{{range $i, $v = .Tags}}{{end}}{{$i}}", "{{$a, $b := 1}}", "{{range $a, $b, $c := .Tags}}{{end}}",
          "{{if}}x{{end}}", "{{if .True}}x", "{{if .True}}x{{else}}y{{else}}z{{end}}", "{{end}}", "{{else}}", "{{range .Tags}}{{else if .}}{{end}}",
          "{{with .Name}}{{else if .Port}}{{end}}"]:
    c(t)
# define/template/block
for t in ['{{define "t1"}}[{{.}}]{{end}}{{template "t1" .Name}}', '{{define "t1"}}[{{.}}]{{end}}{{template "t1"}}',
          '{{template "nope"}}', '{{block "b" .Name}}<{{.}}>{{end}}', '{{define "b"}}override {{.}}{{end}}{{block "b" .Name}}<{{.}}>{{end}}',
          '{{define "a"}}A{{template "b" .}}{{end}}{{define "b"}}B{{.}}{{end}}{{template "a" 1}}',
          '{{define "x"}}{{$}}{{end}}{{template "x" .Port}}', '{{define "x"}}1{{end}}{{define "x"}}2{{end}}',
          '{{define "x"}}{{end}}{{define "x"}}2{{end}}{{template "x"}}', '{{if .True}}{{define "x"}}{{end}}{{end}}',
          '{{define "rec"}}{{if .}}{{len .}}{{template "rec" slice . 1}}{{end}}{{end}}{{template "rec" .Tags}}', '{{template .Name}}',
          '{{define "v"}}{{$x}}{{end}}', '{{define "x"}}a{{else}}b{{end}}']:
    c(t)
# functions: comparisons
for t in ['{{eq 1 1}} {{eq 1 2}} {{eq "a" "a"}} {{eq .Port 8080}} {{eq .Name "x" "web"}} {{eq .Missing nil}}',
          '{{eq 1 "a"}}', '{{eq 1 1.0}}', '{{eq .Missing "x"}}', '{{eq .Tags .Tags}}', '{{eq 1}}', '{{eq}}', '{{eq true true}}',
          '{{ne 1 2}} {{ne "a" "a"}}', '{{lt 1 2}} {{lt 2 1}} {{lt "a" "b"}} {{lt 1.5 2.5}}', '{{lt 1 1.5}}', '{{lt true false}}', '{{lt .Missing 1}}',
          '{{le 1 1}} {{le 2 1}} {{gt 2 1}} {{gt 1 1}} {{ge 1 1}} {{ge 0 1}}', '{{lt .Tags 1}}', '{{eq nil nil}}', '{{eq .Nil .Missing}}',
          '{{and 1 0}} {{and 1 2}} {{or 0 ""}} {{or 0 3}} {{not 0}} {{not 1}}', '{{and}}', '{{and .True .Name}}', '{{or .Missing .Name}}',
          '{{and .False (index .Tags 99)}}', '{{or .True (index .Tags 99)}}', '{{.False | and .True}}', '{{not}}', '{{not 1 2}}',
          '{{if and .True (not .False)}}ok{{end}}', '{{if or (eq .Port 80) (eq .Port 8080)}}ok{{end}}']:
    c(t)
# len/index/slice
for t in ['{{len .Tags}} {{len .M}} {{len .Name}} {{len "héllo"}} {{len .Empty}}', '{{len 3}}', '{{len .Nil}}',
          '{{index .Tags 1}} {{index .M "b"}} {{index .M "zz"}} {{index .Users 0 "Name"}} {{index "abc" 1}}', '{{index .Tags 5}}', '{{index .Tags -1}}',
          '{{index .Tags "a"}}', '{{index .M 1}}', '{{index .Nil 1}}', '{{index 3 1}}', '{{index .Tags}}', '{{index .M "zz" "x"}}',
          '{{slice .Tags 1}} {{slice .Tags 1 2}} {{slice .Tags}} {{slice "hello" 1 3}} {{slice "hello" 2}}', '{{slice .Tags 2 1}}', '{{slice .Tags 0 9}}',
          '{{slice "abc" 0 1 2}}', '{{slice 3 1}}', '{{slice .Tags 0 1 2}}']:
    c(t)
# print family and fmt verbs
for t in ['{{print "a" "b"}} {{print 1 2}} {{print "a" 1 2 "b"}} {{print .Nil}} {{print}}', '{{println "a" 1}}', '{{println}}',
          '{{printf "%s=%d" .Name .Port}}', '{{printf "%v %v %v %v %v" .Tags .M .True .F .Nil}}', '{{printf "%q %q" .Name .Tags}}',
          '{{printf "%x %X %x %X %o %b %c %U" 255 255 "hi" "hi" 8 5 65 65}}', '{{printf "%#x %#o %#v" 255 8 .Name}}',
          '{{printf "%f %.2f %.0f %.0f %.0f %e %E %g %G" 3.14159 2.675 0.5 1.5 2.5 123456.789 0.000123 0.000012345 1e21}}',
          '{{printf "%5d|%-5d|%05d|%+d|% d|%x" 42 42 -42 42 42 -255}}', '{{printf "%5s|%-5s|%.2s|%5.1s|%05s" "abc" "abc" "abc" "abc" "ab"}}',
          '{{printf "%t %t %v" true false true}}', '{{printf "%%|%d%%" 50}}', '{{printf "%d" "x"}}', '{{printf "%s" 5}}', '{{printf "%d %d" 1}}',
          '{{printf "%d" 1 2 "x"}}', '{{printf "%d" .Nil}}', '{{printf "%s" .Missing}}', '{{printf "%z" 1}}', '{{printf "%"}}', '{{printf "%!" 1}}',
          '{{printf "%[2]d %[1]d" 1 2}}', '{{printf "%*d|%-*d" 5 1 4 2}}', '{{printf "%.*f" 2 3.14159}}', '{{printf "%v %d" 1.0 1.0}}',
          '{{printf "%6.2f|%-8.3f|%08.3f|%+.1f" 3.14159 2.5 -1.5 2.0}}', '{{printf "%T %T %T %T %T %T" 1 1.5 "s" true .Tags .M}}',
          '{{printf "%.3g %g %g %g %.3e" 1234567.0 100000.0 1000000.0 0.0001 0.0}}', '{{printf "%d" .Tags}}', '{{printf "%s" .Tags}}',
          '{{printf "%v" .Users}}', '{{printf "%q" 65}}', '{{printf "%s" true}}', '{{printf "%5t|%-6v|" true .Nil}}',
          '{{printf "%d" 9007199254740993}}', '{{printf "%.1f %.1f %.1f %.2f" 0.25 0.35 0.05 1.005}}', '{{printf "%g %g %v" 1e-7 123456789.0 100000000.0}}',
          '{{printf "%q" "tab\\there \\"quoted\\" é \\u2028 \\x01"}}', '{{printf 1}}', '{{printf}}', '{{.Port | printf "%05d"}}',
          '{{"x" | printf "%s-%s" "a"}}']:
    c(t)
# html js urlquery
for t in ['{{html .Html}}', '{{js .Html}}', '{{urlquery "a b&c=d/é"}}', '{{html "a" 1}}', '{{js "line\\nnext" "x"}}', '{{.Html | html}}',
          '{{urlquery .Missing}}', '{{html .Nil}}', '{{js "é\\u2028<>=&\\\\"}}', '{{html}}']:
    c(t)
# pipelines, parens, chains, variables
for t in ['{{.Name | printf "%s!" | printf "%q"}}', '{{(index .Users 0).Name}}', '{{(.Nested).Inner.Value}}', '{{(1).X}}', '{{(nil).X}}',
          '{{$u := index .Users 1}}{{$u.Name}} {{$u.Admin}}', '{{$.Nested.Inner.Value}}', '{{ $x := "a" }}{{ $x = printf "%s%s" $x "b" }}{{ $x }}',
          '{{ .Name | len }}', '{{ .Tags | len | printf "%03d" }}', '{{(len .Tags) | printf "%d"}}', '{{.Name | 1}}', '{{1 | .Name}}',
          '{{nil | print}}', '{{. | print}}', '{{print | print}}', '{{ ( print "a" ) }}', '{{(print "a") "b"}}', '{{((((1))))}}', '{{(1}}', '{{1)}}', '{{)}}',
          '{{|}}', '{{.Name |}}', '{{| .Name}}', '{{.Name | | print}}', '{{"a".X}}', '{{1.X}}', '{{$.}}', '{{.Name.}}', '{{..}}', '{{$x := 1 | print}}{{$x}}',
          '{{ }}', '{{}}', '{{ 1 , 2 }}', '{{a}}', '{{@}}', '{{.Name@}}', '{{"unterminated}}', '{{`unterminated}}', "{{'ab'}}", "{{'}}",
          '{{"\\q"}}', '{{.Name\n}}', '{{\n.Name\n|\nprintf "%s"\n}}', 'line1\nline2 {{.Name}}\nline3 {{.Nested.Inner.Oops.X}}',
          'l1\n{{if .True}}\n  {{nope}}\n{{end}}', 'l1\nl2\n   {{ .Name | printf "%d" }}', '{{$x := 1}}{{$x.Y}}', '{{$x := .M}}{{$x.a}}{{$x.zz}}']:
    c(t)
# missingkey=error
for t in ['{{.Missing}}', '{{.Nested.Missing}}', '{{.Missing.Deeper}}', '{{.Name}}', '{{index .M "zz"}}', '{{with .Missing}}x{{end}}',
          '{{if .Missing}}x{{end}}', '{{.Nil}}']:
    c(t, missingKey="error")
c("{{.X}}", None, missingKey="error")
# delimiters
c("[[.Name]] {{.Name}}", leftDelim="[[", rightDelim="]]")
c("[[- .Name -]] x [[/* c */]] [[range .Tags]][[.]][[end]]", leftDelim="[[", rightDelim="]]")
c("<% .Name %><%- .Port -%>", leftDelim="<%", rightDelim="%>")
c("${.Name} $${.Port}", leftDelim="${", rightDelim="}")
c("[[.Name]", leftDelim="[[", rightDelim="]]")
c("(( .Name | printf \"%s\" ))", leftDelim="((", rightDelim="))")

# Float formatting: many magnitudes through every float verb.
import random
random.seed(7)
vals = [0.5, 1.5, 2.5, 0.125, 0.1, 0.2, 0.3, 1/3, 2/3, 1e-5, 1.5e-5, 9.999999e-5, 0.00012345, 99999.95, 999999.5, 1e6, 1.25e6, 123456789.125,
        1e20, 1e21, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, 0.045, 0.055, 1.005, 2.675, 1234.5678, 9.5, 10.5, 0.95, 0.05]
for _ in range(40):
    vals.append(random.choice([1, -1]) * random.uniform(0, 10) * 10 ** random.randint(-12, 25))
rows = []
for v in vals:
    lit = repr(v)
    if "." not in lit and "e" not in lit:
        lit += ".0"
    rows.append(lit)
for i in range(0, len(rows), 4):
    chunk = rows[i:i+4]
    fmt = " ".join(["%v|%.2f|%e|%.3e|%g|%.3g|%G|%10.4f|%-12.1e|%+.0f|%f"] * len(chunk))
    args = " ".join(" ".join([r] * 11) for r in chunk)
    c('{{printf "%s" %s}}' % (fmt, args), None)
# more print family, sorting, unicode, whitespace
for t in ['{{print 1.5 2 "x" 3.0 true nil}}', '{{print .F .Ratio .Tags}}', '{{println .F .Nil .M}}', '{{printf "%v" -0.0}}',
          '{{printf "%5.1f|%-7.2f|%07.2f" -2.25 3.125 -0.5}}', '{{printf "%x %X %o %b" -1 -255 -8 -5}}', '{{printf "%08b|%#08x|%-#8x|" 5 255 255}}',
          '{{printf "%.3d|%6.3d|%-6.3d|%.0d" 7 7 -7 0}}', '{{printf "%c%c%c" 72 105 0x1F600}}', '{{printf "%U %#U" 0x1F600 0x41}}',
          '{{printf "% x|%#x|%X" "héllo" "ab" "ab"}}', '{{printf "%.1q|%q|%+q|%#q" "abc" "é\\n" "é" "a`b"}}', '{{printf "%q" "\\u00a0\\u200b\\ufeff"}}',
          '{{printf "%v|%s|%d" .M .M .M}}', '{{printf "%6v|%-6v|" .Tags .Tags}}', '{{printf "%t" 1}}', '{{printf "%e" 1}}', '{{printf "%c" "x"}}',
          '{{printf "%[3]d %[1]d %d" 1 2 3}}', '{{printf "%[5]d" 1}}', '{{printf "%[0]d" 1}}', '{{printf "%[x]d" 1}}', '{{printf "%-+5d|%+-5d|% -5d" 3 3 3}}',
          '{{printf "%.f|%.e|%5.f" 2.5 2.5 3.5}}', '{{printf "%*d" "x" 1}}', '{{printf "%.*d" -1 5}}', '{{printf "%-*d|" -4 7}}', '{{printf "%10.3s|" "héllo"}}',
          '{{printf "%d %s" 1}}{{printf "%d"}}', '{{printf "%!d"}}', '{{printf "%v %v" 1e100 1e-100}}', '{{printf "%.10g %.20f" 0.1 0.1}}',
          '{{printf "%6.2v|%.3v|%.1v" 3.14159 2.0 1234.5}}', '{{printf "%g %g %g" 1e-4 1e-5 123456.0}}', '{{printf "%G %E" 1e-10 1e10}}',
          '{{range $k, $v := .}}{{$k}} {{end}}', '{{range $i, $c := slice .Tags 1}}{{$i}}{{$c}}{{end}}',
          '{{with $x := "a"}}{{with $y := "b"}}{{$x}}{{$y}}{{end}}{{end}}', '{{range .Users}}{{range $.Tags}}{{.}}{{end}}{{.Name}}|{{end}}',
          '{{$n := 0}}{{range .Tags}}{{$n = len $n}}{{end}}', '{{$n := ""}}{{range .Tags}}{{$n = printf "%s%s" $n .}}{{end}}{{$n}}',
          '{{range $i, $e := .Tags}}{{if $i}}, {{end}}{{$e}}{{end}}', '{{ if and (gt .Port 1000) (lt .Port 9000) }}in{{ end }}',
          '{{range .Users}}{{with .Admin}}A{{else}}-{{end}}{{end}}', '{{if not .Empty}}x{{else}}empty{{end}}',
          '  {{- range .Tags }}\n    - {{ . }}\n  {{- end }}\n', 'a\n{{- /* x */}}\nb', '{{"é" | len}} {{len "日本語"}} {{slice "日本語" 3 6}} {{index "é" 0}}',
          '{{.Nested.Inner.Value | printf "%-10s|"}}', '{{block "x" .}}{{range .Tags}}{{.}}{{end}}{{end}}-{{template "x" .}}',
          '{{define "T"}}{{.Name}}{{end}}{{range .Users}}{{template "T" .}}{{end}}', '{{template "T" .}}{{define "T"}}late{{end}}',
          '{{"\\x41\\101\\u0041\\U00000041"}}', "{{'\\x41'}} {{'\\''}} {{'é'}}", '{{`a\r\nb`}}', '{{printf "%q" `\\n`}}',
          '{{ 0x1E }} {{ 0X1e }} {{ 1E2 }} {{ 0x1p-2 }} {{ 0b1_0 }} {{ 0_7 }} {{ 1__0 }}', '{{ 0x_1 }}', '{{ 1_ }}', '{{ 08 }}', '{{ 0o8 }}', '{{ - 1}}',
          '{{+}}', '{{ -x }}', '{{eq 1 1 2}} {{eq "a" "b" "c"}} {{eq 2 "x" 2}}', '{{eq 2 1 "x"}}',
          '{{and 0 (print "never")}} {{or 1 (len 3)}}', '{{or (len 3) 1}}', '{{if eq .Str "hello"}}{{else}}no{{end}}']:
    c(t)

# Realistic Nomad-style templates over data (consul-template functions replaced by data).
N = {"Services": [{"Address": "10.0.0.1", "Port": 8080, "Tags": ["blue"]}, {"Address": "10.0.0.2", "Port": 8081, "Tags": []}],
     "Meta": {"owner": "team-a", "tier": "web \"front\""}, "Alloc": {"Index": 2, "Name": "web[2]"}, "Limits": {"cpu": 500, "mem": 256.5},
     "Env": {"NOMAD_PORT_http": "23456"}, "Weights": [0.5, 0.25, 0.125]}
for t in ['{{- range $i, $svc := .Services }}{{ if $i }}, {{ end }}{{ $svc.Address }}:{{ $svc.Port }}{{- end }}',
          '{{ range $key, $value := .Meta }}{{ $key }}={{ $value | printf "%q" }}\n{{ end }}',
          'upstream app {\n{{- range .Services }}\n  server {{ .Address }}:{{ .Port }};\n{{- else }}\n  server 127.0.0.1:65535; # none\n{{- end }}\n}\n',
          '{{ define "kv" }}{{ .k }}: {{ .v }}{{ end }}{{ range $k, $v := .Meta }}{{ template "kv" (index $.Meta $k | printf "%s" | printf "%s") }}\n{{ end }}',
          '{{ with .Alloc }}instance {{ .Index }} of {{ .Name }}{{ end }}', '{{ if ge .Alloc.Index 2 }}late{{ else }}early{{ end }}',
          'cpu={{ .Limits.cpu }} mem={{ .Limits.mem }} {{ printf "%.0fMB" .Limits.mem }} {{ printf "%d" .Limits.cpu }}',
          '{{ range .Weights }}{{ printf "%.2f%%" . }} {{ end }}', '{{ len .Services }} services, first {{ (index .Services 0).Address }}',
          '{{ $first := index .Services 0 }}{{ range .Services }}{{ if eq .Address $first.Address }}*{{ end }}{{ .Port }} {{ end }}',
          '{{ range .Services }}{{ range .Tags }}[{{ . }}]{{ else }}[untagged]{{ end }}{{ end }}',
          '# generated\n{{- /* comment line */}}\nport = {{ index .Env "NOMAD_PORT_http" }}\n', '{{ .Alloc.Name | html }} {{ .Alloc.Name | js }} {{ .Alloc.Name | urlquery }}',
          '{{ block "main" . }}default {{ .Alloc.Index }}{{ end }}', '{{ define "t" }}x{{ end }}{{ template "t" }}']:
    c(t, N)
c("%%.Alloc.Name%% and %%- .Alloc.Index -%% !", N, leftDelim="%%", rightDelim="%%")
c("<<.Alloc.Name>> <<if .Alloc>>yes<<end>>", N, leftDelim="<<", rightDelim=">>")

# Odd corners of the lexer and parser.
for t in ['{{- -}}', '{{-}}', '{{--1}}', '{{ -}}', '{{- }}', 'a {{- "x" }}{{- "y" -}} b', '{{"a"-}}', '{{ "a" -}}\n\n', '{{/**/}}', '{{/* a */ }}',
          '{{- /* a */}}b', '{{/* {{ nested }} */}}x', '{{ .Name}}}', '{{{ .Name }}', '{{.Name}}{{', '}}', '{{ "}}" }}', '{{ `}}\n` }}',
          '{{ .Name | printf "%s" | printf "[%s]" | len }}', '{{ $ }}', '{{ $x := . }}{{ $x.Name }}', '{{ $.Name.X }}', '{{ .Tags.0 }}',
          '{{ ( .Name ) }}', '{{ (.Name) | printf "%s" }}', '{{ (printf "%s" .Name).X }}', '{{ index (index .Users 0) "Name" }}',
          '{{ if (eq .Port 8080) }}y{{ end }}', '{{range $i, $e := .Tags}}{{$i}}{{end}}{{$i}}', '{{ if $x := .Name }}{{ $x }}{{ else }}{{ $x }}{{ end }}',
          '{{ with $x := .Missing }}{{ else }}[{{ $x }}]{{ end }}', '{{ range $x := .Empty }}{{ else }}[{{ $x }}]{{ end }}',
          '{{ template "a" }}', '{{ template "a" . . }}', '{{ template }}', '{{ template "a" | }}', '{{ define "a" }}', '{{ define a }}{{ end }}',
          '{{ define "a" x }}{{ end }}', '{{ block "a" }}{{ end }}', '{{ else if true }}', '{{ if true }}{{ else if }}{{ end }}',
          '{{ if true }}{{ else with .Name }}{{ . }}{{ end }}', '{{ with .Missing }}{{ else with .Nope }}{{ else }}none{{ end }}',
          '{{ range .Tags }}{{ break 1 }}{{ end }}', '{{ range .Tags }}{{ continue }}x{{ end }}done', '{{ range .Tags }}{{ if true }}{{ break }}{{ end }}{{ end }}',
          '{{ range $i := .Tags }}{{ range $j := $.Tags }}{{ if eq $j "a" }}{{ break }}{{ end }}{{ $i }}{{ $j }} {{ end }}{{ end }}',
          '{{ define "x" }}{{ break }}{{ end }}', '{{ range .Tags }}{{ define "x" }}{{ end }}{{ end }}', '{{ nil }}', '{{ nil.X }}', '{{ (nil) }}',
          '{{ print nil }}', '{{ index nil 1 }}', '{{ printf "%v" nil }}', '{{ eq nil 1 }}', '{{ true.X }}', '{{ .Name true }}',
          '{{ printf "%d" true }}', '{{ not .Missing }}', '{{ and }}', '{{ or 1 }}', '{{ html 1 2 "a" 3 }}', '{{ print 1 2 }}{{ print "a" "b" }}{{ print 1 "a" 2 }}']:
    c(t)

# Static types in messages: range elements are interface {}, other values concrete.
for t in ['{{range .Tags}}{{.X}}{{end}}', '{{with .Name}}{{.X}}{{end}}', '{{range .M}}{{.X}}{{end}}', '{{range $v := .Tags}}{{$v.X}}{{end}}',
          '{{range $i, $v := .Tags}}{{$i.X}}{{end}}', '{{range $i, $v := .Tags}}{{$v.X}}{{end}}', '{{range 2}}{{.X}}{{end}}',
          '{{range .Tags}}{{with .}}{{.X}}{{end}}{{end}}', '{{range .Tags}}{{$x := .}}{{$x.X}}{{end}}', '{{(.Name).X}}',
          '{{range .Users}}{{.Name.X}}{{end}}', '{{range .Tags}}{{template "x" .}}{{end}}{{define "x"}}{{.X}}{{end}}',
          '{{$v := 0}}{{range $v = .Tags}}{{end}}{{$v.X}}', '{{range .Tags}}{{.X | print}}{{end}}', '{{range .Tags}}{{print .X}}{{end}}']:
    c(t)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "go-oracle.json")
with open(out, "w") as f:
    json.dump({"defaultData": D, "cases": cases}, f, indent=2, ensure_ascii=False)
print(len(cases), "cases")
