# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 12:7: group "g": only one task may be the leader
job "bad" {
  group "g" {
    task "a" {
      driver = "exec"
      leader = true
      config { command = "x" }
    }
    task "b" {
      driver = "exec"
      leader = true
      config { command = "x" }
    }
  }
}
