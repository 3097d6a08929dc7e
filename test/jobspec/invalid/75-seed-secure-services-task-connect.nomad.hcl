# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 20:7: task "frontend" service "frontend": Connect services must be in the group, not the task
# expect: 22:9: task "frontend" service "frontend": port "8080" is not a port of the group's network; a numeric port needs address_mode = "driver"
# expect: 46:7: task "backend" service "backend": Connect services must be in the group, not the task
# expect: 48:9: task "backend" service "backend": port "8080" is not a port of the group's network; a numeric port needs address_mode = "driver"
# From seed 003_45d511daa4142bbb.txt, HCL snippet 14.
job "secure-services" {
  datacenters = ["dc1"]
  type = "service"

  group "frontend" {
    count = 2

    task "frontend" {
      driver = "docker"
      config {
        image = "myapp/frontend:latest"
      }

      service {
        name = "frontend"
        port = "8080"
        connect {
          sidecar_service {
            proxy {
              upstreams {
                destination_name = "backend"
                local_bind_port  = 9090
              }
            }
          }
        }
      }
    }
  }

  group "backend" {
    count = 2

    task "backend" {
      driver = "docker"
      config {
        image = "myapp/backend:latest"
      }

      service {
        name = "backend"
        port = "8080"
        connect {
          sidecar_service {}
        }
      }
    }
  }
}
