# Fixed: a task service's numeric port is the container's, which Nomad only
# accepts with address_mode = "driver" (see
# invalid/64-seed-region-specific-numeric-port).
# From seed 003_45d511daa4142bbb.txt, HCL snippet 3.
job "region-specific" {
  datacenters = ["us-west-1", "us-east-1"]
  type = "service"

  group "app" {
    count = 2

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }

      template {
        data = <<EOH
region: ${NOMAD_DC}
environment: {{ with secret "app/config" }}{{ .Data.data.environment }}{{ end }}
EOH
        destination = "local/config.yaml"
      }

      service {
        name         = "app"
        port         = "8080"
        address_mode = "driver"
      }
    }
  }
}
