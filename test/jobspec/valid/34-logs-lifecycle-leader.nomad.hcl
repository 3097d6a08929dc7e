job "lifecycle" {
  group "g" {
    task "init" {
      driver = "exec"
      config { command = "migrate" }
      lifecycle {
        hook    = "prestart"
        sidecar = false
      }
    }
    task "log-shipper" {
      driver = "exec"
      config { command = "ship" }
      lifecycle {
        hook    = "poststart"
        sidecar = true
      }
      logs {
        max_files     = 3
        max_file_size = 5
      }
    }
    task "main" {
      driver = "exec"
      config { command = "serve" }
      leader = true
      logs {
        disabled = true
      }
    }
    task "cleanup" {
      driver = "exec"
      config { command = "cleanup" }
      lifecycle {
        hook = "poststop"
      }
    }
  }
}
