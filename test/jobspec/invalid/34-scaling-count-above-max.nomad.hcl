# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:5: group "g": count (5) is more than scaling max (3)
job "bad" {
  group "g" {
    count = 5
    scaling {
      min = 1
      max = 3
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
