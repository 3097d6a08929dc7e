# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 27:9: task "app" service "app": port "8080" is not a port of the group's network; a numeric port needs address_mode = "driver"
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
        name = "app"
        port = "8080"
      }
    }
  }
}
