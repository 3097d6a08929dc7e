# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:17: "datacenters" must be a list of strings, not string "dc1"
job "bad" {
  datacenters = "dc1"
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
