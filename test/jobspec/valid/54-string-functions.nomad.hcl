job "strings" {
  meta {
    upper     = upper("abc")
    lower     = lower("ABC")
    title     = title("hello world")
    trimmed   = trimspace("  x  ")
    prefix    = trimprefix("v1.2.3", "v")
    suffix    = trimsuffix("app.nomad.hcl", ".hcl")
    replaced  = replace("a.b.c", ".", "-")
    regex     = regex_replace("v42", "^v([0-9]+)", "$1")
    formatted = format("%s-%05.1f-%t", "x", 3.14159, true)
    list      = join(" ", formatlist("<%s>", ["a", "b"]))
    substr    = substr("nomad-job", 0, 5)
    split     = length(split(",", "a,b,c"))
    chomp     = chomp("line\n")
    indented  = indent(2, "a\nb")
    reversed  = strrev("abc")
    yaml      = yamlencode({ k = "v" })
    cidr      = cidrsubnet("10.0.0.0/16", 8, 2)
    host      = cidrhost("10.0.0.0/16", 5)
    uuid5     = uuidv5("url", "https://example.com")
    converted = convert(5, string)
    length    = strlen("nomad")
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
