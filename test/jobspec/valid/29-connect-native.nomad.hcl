job "native" {
  group "g" {
    network {
      mode = "bridge"
      port "api" {}
    }
    service {
      name = "native-api"
      port = "api"
      task = "api"
      connect {
        native = true
      }
    }
    task "api" {
      driver = "exec"
      config { command = "api" }
    }
  }
}
