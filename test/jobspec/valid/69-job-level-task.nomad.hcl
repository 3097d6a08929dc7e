job "solo" {
  vault {
    policies = ["app"]
  }
  task "migrate" {
    driver = "exec"
    config { command = "migrate" }
  }
  group "web" {
    task "web" {
      driver = "exec"
      config { command = "web" }
      vault {
        role = "web"
      }
    }
  }
}
