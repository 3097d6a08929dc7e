# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:3: periodic jobs must be batch or sysbatch, not service; set type = "batch"
job "bad" {
  periodic {
    cron = "@daily"
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
