# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:15: "delay" must be a duration such as "30s", "5m" or "1h30m", not "15 seconds"
job "bad" {
  group "g" {
    restart {
      delay = "15 seconds"
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
