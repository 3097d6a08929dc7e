job "mesh-full" {
  vault {
    policies = ["base"]
  }
  group "g" {
    network {
      mode = "bridge"
      port "http" {}
    }
    volume "certs" {
      type   = "host"
      source = "certs"
    }
    disconnect {
      stop_on_client_after = "10m"
    }
    service {
      name = "app"
      port = "9090"
      check {
        type         = "http"
        path         = "/health"
        method       = "POST"
        body         = "{\"deep\": true}"
        expose       = true
        address_mode = "alloc"
        interval     = "10s"
        timeout      = "2s"
      }
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name       = "billing"
              destination_peer       = "other-cluster"
              destination_partition  = "finance"
              destination_type       = "service"
              local_bind_socket_path = "/alloc/tmp/billing.sock"
              local_bind_socket_mode = "0700"
              config {
                connect_timeout_ms = 2000
              }
            }
          }
        }
        sidecar_task {
          volume_mount {
            volume      = "certs"
            destination = "/certs"
            read_only   = true
          }
        }
      }
    }
    task "app" {
      driver = "docker"
      kind   = "custom:app"
      config { image = "app:1" }
    }
  }
}
