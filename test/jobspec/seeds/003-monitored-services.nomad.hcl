# Fixed: a Connect service must be a group service in a bridge network, where
# its numeric port is the task's port inside the allocation (see
# invalid/74-seed-monitored-services-task-connect), so the service moves to
# the group and the group's network is a bridge.
# From seed 003_45d511daa4142bbb.txt, HCL snippet 15.
job "monitored-services" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    network {
      mode = "bridge"
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

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }
    }
  }
}
