# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 9:16: unknown variable "node"; runtime values such as node, attr, meta and NOMAD_* must be written inside a string, e.g. "${node…}"
job "bad" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
      env {
        HOST = node.unique.name
      }
    }
  }
}
