# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:3: a group block needs a label: group "<name>" { … }
job "bad" {
  group {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
