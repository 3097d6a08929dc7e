# From seed 003_45d511daa4142bbb.txt, HCL snippet 23.
job "dynamic-ports" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    network {
      port "http" {
        static = 0  # Dynamic port allocation
      }
      port "metrics" {
        static = 0
      }
    }

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
        ports = ["http", "metrics"]
      }

      service {
        name = "app"
        port = "http"
      }

      service {
        name = "app-metrics"
        port = "metrics"
      }
    }
  }
}
