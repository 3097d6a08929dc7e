# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 11:1: only one job block is allowed per file
job "bad" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
job "other" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
