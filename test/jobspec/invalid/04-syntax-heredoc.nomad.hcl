# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:9: unterminated heredoc: no line "EOT" closes it
job "bad" {
  meta {
    a = <<EOT
never closed
  }
}
