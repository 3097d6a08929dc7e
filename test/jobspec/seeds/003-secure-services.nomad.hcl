# Fixed: a Connect service must be a group service in a bridge network, where
# its numeric port is the task's port inside the allocation (see
# invalid/75-seed-secure-services-task-connect), so each service moves to its
# group and each group's network is a bridge.
# From seed 003_45d511daa4142bbb.txt, HCL snippet 14.
job "secure-services" {
  datacenters = ["dc1"]
  type = "service"

  group "frontend" {
    count = 2

    network {
      mode = "bridge"
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

    task "frontend" {
      driver = "docker"
      config {
        image = "myapp/frontend:latest"
      }
    }
  }

  group "backend" {
    count = 2

    network {
      mode = "bridge"
    }

    service {
      name = "backend"
      port = "8080"
      connect {
        sidecar_service {}
      }
    }

    task "backend" {
      driver = "docker"
      config {
        image = "myapp/backend:latest"
      }
    }
  }
}
