# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 26:7: task "web" service "web": Connect services must be in the group, not the task
# expect: 48:7: task "api" service "api": Connect services must be in the group, not the task
# expect: 50:9: task "api" service "api": port "8080" is not a port of the group's network; a numeric port needs address_mode = "driver"
# From seed 003_45d511daa4142bbb.txt, HCL snippet 13.
job "service-mesh" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    network {
      port "http" {
        static = 8080
      }
    }

    task "web" {
      driver = "docker"
      config {
        image = "myapp/web:latest"
        ports = ["http"]
      }

      service {
        name = "web"
        port = "http"
        connect {
          sidecar_service {
            proxy {
              upstreams {
                destination_name = "api"
                local_bind_port  = 9090
              }
            }
          }
        }
      }
    }

    task "api" {
      driver = "docker"
      config {
        image = "myapp/api:latest"
      }

      service {
        name = "api"
        port = "8080"
        connect {
          sidecar_service {}
        }
      }
    }
  }
}
