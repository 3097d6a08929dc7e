# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:5: missing required argument "driver" in this task block: add driver = …
job "bad" {
  group "g" {
    task "t" {
      config { command = "x" }
    }
  }
}
