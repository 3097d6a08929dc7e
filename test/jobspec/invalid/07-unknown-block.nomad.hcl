# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:5: unsupported block "tsak" in group "g"; did you mean "task"?
job "bad" {
  group "g" {
    tsak "t" {
      driver = "exec"
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
