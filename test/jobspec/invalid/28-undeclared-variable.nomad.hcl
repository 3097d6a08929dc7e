# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:21: there is no variable named "dc"; declare it with variable "dc" { … }
job "bad" {
  datacenters = [var.dc]
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
