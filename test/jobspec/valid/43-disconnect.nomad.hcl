job "edge" {
  group "g" {
    disconnect {
      lost_after           = "6h"
      replace              = false
      reconcile            = "keep_original"
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
  group "legacy" {
    max_client_disconnect     = "1h"
    prevent_reschedule_on_lost = true
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
  group "stop" {
    stop_after_client_disconnect = "30m"
    shutdown_delay               = "5s"
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
