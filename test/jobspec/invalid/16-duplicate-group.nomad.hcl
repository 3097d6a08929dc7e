# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 10:3: group "g" is defined twice
job "bad" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
