job "scaled-min" {
  group "web" {
    scaling {
      min = 3
      max = 6
    }
    task "web" {
      driver = "exec"
      config { command = "web" }
    }
  }
}
