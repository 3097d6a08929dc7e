job "mesh" {
  group "api" {
    network {
      mode = "bridge"
    }
    service {
      name = "count-api"
      port = "9001"
      connect {
        sidecar_service {
          tags = ["mesh"]
          proxy {
            local_service_address = "127.0.0.1"
            local_service_port    = 9001
            upstreams {
              destination_name = "count-db"
              local_bind_port  = 5432
              datacenter       = "dc2"
              mesh_gateway {
                mode = "local"
              }
            }
            upstreams {
              destination_name      = "cache"
              destination_namespace = "infra"
              local_bind_port       = 6379
              local_bind_address    = "127.0.0.2"
            }
            config {
              protocol = "http"
            }
          }
        }
        sidecar_task {
          resources {
            cpu    = 200
            memory = 256
          }
          kill_timeout = "10s"
        }
      }
    }
    task "api" {
      driver = "docker"
      config { image = "hashicorpdev/counter-api:v3" }
    }
  }
}
