# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 3:1: job "bad" has no group: add group "<name>" { task "<name>" { … } }
job "bad" {
  datacenters = ["dc1"]
}
