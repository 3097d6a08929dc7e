# Fixed: the service's port "http" must be a port of the group's network
# (see invalid/72-seed-autoscaled-app-undefined-port), so the group declares it and the task maps it.
# From seed 003_45d511daa4142bbb.txt, HCL snippet 1.
job "autoscaled-app" {
  datacenters = ["dc1"]
  type = "service"

  group "web" {
    count = 3

    scaling {
      min = 1
      max = 10
      enabled = true
    }

    network {
      port "http" {
        to = 80
      }
    }

    task "web" {
      driver = "docker"
      config {
        image = "nginx:latest"
        ports = ["http"]
      }

      resources {
        cpu    = 500
        memory = 512
      }

      service {
        name = "web"
        port = "http"
      }
    }
  }
}
