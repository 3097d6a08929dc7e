job "ui" {
  ui {
    description = "The **web** front end"
    link {
      label = "Runbook"
      url   = "https://wiki.example.com/web"
    }
    link {
      label = "Dashboard"
      url   = "https://grafana.example.com/d/web"
    }
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
