# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:7: restart mode must be "delay" or "fail", not "retry"
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
