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

    task "web" {
      driver = "docker"
      config {
        image = "nginx:latest"
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
