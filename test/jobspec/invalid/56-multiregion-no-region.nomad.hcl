# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:3: a multiregion block needs at least one region "<name>" { … } block
job "mr" {
  multiregion {
    strategy {
      on_failure = "fail_all"
    }
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
