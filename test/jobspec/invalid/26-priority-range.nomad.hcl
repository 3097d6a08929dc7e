# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:3: job priority must be between 1 and 100, not 150
job "bad" {
  priority = 150
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
