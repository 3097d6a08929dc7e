# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:5: unsupported argument "cuont" in group "g"; did you mean "count"?
job "bad" {
  group "g" {
    cuont = 3
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
