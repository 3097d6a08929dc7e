# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 9:1: unclosed block: expected "}"
job "bad" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
