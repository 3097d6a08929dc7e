# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:3: attribute "region" is set twice in job "bad"
job "bad" {
  region = "a"
  region = "b"
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
