# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:14: "mode" must be "fail" or "delay", not "retry"
job "bad" {
  group "g" {
    restart {
      mode = "retry"
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
