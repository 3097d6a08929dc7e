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
