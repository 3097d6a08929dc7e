# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:5: group "g" has count 3; a system job runs one per node, so count must be 0 or 1
job "bad" {
  type = "system"
  group "g" {
    count = 3
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
