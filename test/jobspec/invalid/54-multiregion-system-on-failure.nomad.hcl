# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 7:7: multiregion system jobs can't have an on_failure setting
job "mr" {
  type = "system"
  multiregion {
    strategy {
      on_failure = "fail_local"
    }
    region "west" {}
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
