job "net-host" {
  group "g" {
    network {
      mode = "host"
      port "http" {
        static = 8080
      }
      port "metrics" {}
      port "admin" {
        host_network     = "private"
        ignore_collision = false
      }
    }
    task "t" {
      driver = "exec"
      config { command = "server" }
    }
  }
}
