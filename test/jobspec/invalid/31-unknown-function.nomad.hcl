# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:9: there is no function named "uppercase"
job "bad" {
  meta {
    a = uppercase("x")
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
