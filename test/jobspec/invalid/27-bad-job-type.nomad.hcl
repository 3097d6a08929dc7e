# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:3: job type must be "service", "batch", "system" or "sysbatch", not "daemon"
job "bad" {
  type = "daemon"
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
