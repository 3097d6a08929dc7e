locals {
  services = [
    { name = "api", port = "http", paths = ["/health", "/ready"] },
    { name = "admin", port = "admin", paths = ["/ping"] },
  ]
}

job "dynamic" {
  group "g" {
    network {
      port "http" {}
      port "admin" {}
    }
    dynamic "service" {
      for_each = local.services
      iterator = svc
      content {
        name = svc.value.name
        port = svc.value.port
        dynamic "check" {
          for_each = svc.value.paths
          content {
            name     = "${svc.value.name} ${check.value}"
            type     = "http"
            path     = check.value
            interval = "10s"
            timeout  = "2s"
          }
        }
      }
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
