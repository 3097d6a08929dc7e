# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 7:7: group "g": update canary (3) cannot be more than the group's count (2)
job "bad" {
  group "g" {
    count = 2
    update {
      canary = 3
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
