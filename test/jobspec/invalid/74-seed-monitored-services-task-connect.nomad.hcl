# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 18:7: task "app" service "app": Connect services must be in the group, not the task
# expect: 20:9: task "app" service "app": port "8080" is not a port of the group's network; a numeric port needs address_mode = "driver"
# From seed 003_45d511daa4142bbb.txt, HCL snippet 15.
job "monitored-services" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }

      service {
        name = "app"
        port = "8080"
        connect {
          sidecar_service {
            proxy {
              config {
                envoy_prometheus_bind_addr = "0.0.0.0:9102"
              }
            }
          }
        }
      }
    }
  }
}
