job "vault" {
  group "g" {
    vault {
      role = "app"
    }
    task "a" {
      driver = "exec"
      config { command = "a" }
    }
    task "b" {
      driver = "exec"
      config { command = "b" }
      vault {
        policies      = ["read-secrets"]
        namespace     = "team"
        cluster       = "default"
        env           = false
        disable_file  = true
        change_mode   = "signal"
        change_signal = "SIGUSR1"
        allow_token_expiration = true
      }
    }
  }
}
