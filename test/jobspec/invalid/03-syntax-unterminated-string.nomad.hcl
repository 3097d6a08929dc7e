# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:23: unterminated string: a quoted string cannot span lines; use a heredoc
job "bad" {
  datacenters = ["dc1]
}
