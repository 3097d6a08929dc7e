# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:13: "count" must be a whole number, not string "three"
job "bad" {
  group "g" {
    count = "three"
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
