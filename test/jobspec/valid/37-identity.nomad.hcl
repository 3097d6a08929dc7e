job "identity" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
      identity {
        env  = true
        file = true
      }
      identity {
        name        = "aws"
        aud         = ["sts.amazonaws.com"]
        ttl         = "1h"
        change_mode = "restart"
        file        = true
        filepath    = "secrets/aws.jwt"
      }
      identity {
        name          = "vault_default"
        aud           = ["vault.io"]
        change_mode   = "signal"
        change_signal = "SIGHUP"
      }
    }
  }
}
