# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:5: invalid cron expression "61 * * * *": minute 61 is out of range 0-59
job "bad" {
  type = "batch"
  periodic {
    cron = "61 * * * *"
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
