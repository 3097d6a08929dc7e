# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 19:9: task "t": identity "store": filepath needs file = true
# expect: 25:9: task "t": identity "cache": change_signal is only for change_mode = "signal"
# expect: 29:9: task "t": identity "shared cache": a name may hold letters, digits, "-" and "_" (1 to 128)
# expect: 30:9: task "t": identity "shared cache": an audience cannot be empty
# Nomad's rules for workload identities.
job "tokens" {
  group "g" {
    task "t" {
      driver = "exec"

      config {
        command = "/usr/bin/worker"
      }

      identity {
        name     = "store"
        aud      = ["store.example.com"]
        filepath = "secrets/store.jwt"
      }

      identity {
        name          = "cache"
        aud           = ["cache.example.com"]
        change_signal = "SIGHUP"
      }

      identity {
        name = "shared cache"
        aud  = ["", "cache.example.com"]
      }
    }
  }
}
