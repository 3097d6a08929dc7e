# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:12: expected an expression, found newline
job "bad" {
  group "g" {
    count =
  }
}
