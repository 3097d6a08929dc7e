# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:5: multiregion batch jobs can't have an update strategy
job "mr" {
  type = "batch"
  multiregion {
    strategy {
      max_parallel = 1
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
