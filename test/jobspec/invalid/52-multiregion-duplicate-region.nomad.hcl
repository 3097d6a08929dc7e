# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 7:5: multiregion region "west" can't be listed twice
job "mr" {
  multiregion {
    region "west" {}
    region "east" {}
    region "west" {}
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
