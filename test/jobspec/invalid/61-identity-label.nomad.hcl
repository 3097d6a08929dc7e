# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 13:7: an identity block takes no label, found "vault"; name it inside the block: name = "vault"
# Nomad 2.x names an identity inside its block; a label is refused.
job "tokens" {
  group "g" {
    task "t" {
      driver = "exec"

      config {
        command = "/usr/bin/worker"
      }

      identity "vault" {
        aud = ["vault.io"]
        ttl = "1h"
      }
    }
  }
}
