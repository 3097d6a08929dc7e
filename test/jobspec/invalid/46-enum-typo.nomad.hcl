# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 8:16: "hook" must be "prestart", "poststart" or "poststop", not "prestrat"; did you mean "prestart"?
job "bad" {
  group "g" {
    task "t" {
      driver = "exec"
      lifecycle {
        hook = "prestrat"
      }
    }
  }
}
