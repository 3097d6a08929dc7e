# Fixed: a Connect service must be a group service in a bridge network, where
# a numeric port is the task's port inside the allocation (see
# invalid/76-seed-service-mesh-task-connect), so both services move to the
# group and the group's network is a bridge.
# From seed 003_45d511daa4142bbb.txt, HCL snippet 13.
job "service-mesh" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    network {
      mode = "bridge"
      port "http" {
        static = 8080
      }
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

    service {
      name = "api"
      port = "8080"
      connect {
        sidecar_service {}
      }
    }

    task "web" {
      driver = "docker"
      config {
        image = "myapp/web:latest"
        ports = ["http"]
      }
    }

    task "api" {
      driver = "docker"
      config {
        image = "myapp/api:latest"
      }
    }
  }
}
