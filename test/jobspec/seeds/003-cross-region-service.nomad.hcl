# Fixed: a task service's numeric port is the container's, which Nomad only
# accepts with address_mode = "driver", on the service and its check (see
# invalid/65-seed-cross-region-numeric-port).
# From seed 003_45d511daa4142bbb.txt, HCL snippet 5.
job "cross-region-service" {
  datacenters = ["us-west-1", "us-east-1"]
  type = "service"

  group "api" {
    count = 2

    task "api" {
      driver = "docker"
      config {
        image = "myapp/api:latest"
      }

      service {
        name         = "api"
        port         = "8080"
        address_mode = "driver"
        tags = ["v1", "api"]

        check {
          type     = "http"
          path     = "/health"
          interval = "10s"
          timeout  = "2s"

          address_mode = "driver"
        }
      }
    }
  }
}
