# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 11:9: task "t": change_mode "signal" needs change_signal
job "bad" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
      template {
        data        = "x"
        destination = "local/x"
        change_mode = "signal"
      }
    }
  }
}
