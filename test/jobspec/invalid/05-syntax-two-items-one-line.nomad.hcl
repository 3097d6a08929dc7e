# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:18: expected a newline after the item, found "p"
job "bad" {
  type = "batch" priority = 50
}
