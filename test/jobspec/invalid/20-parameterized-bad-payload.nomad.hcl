# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:15: "payload" must be "optional", "required" or "forbidden", not "sometimes"
job "bad" {
  type = "batch"
  parameterized {
    payload = "sometimes"
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
