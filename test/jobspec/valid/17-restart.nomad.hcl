job "restarts" {
  group "g" {
    restart {
      attempts         = 5
      interval         = "10m"
      delay            = "20s"
      mode             = "delay"
      render_templates = true
    }
    task "a" {
      driver = "exec"
      config { command = "a" }
    }
    task "b" {
      driver = "exec"
      config { command = "b" }
      restart {
        attempts = 1
        mode     = "fail"
      }
    }
  }
}
