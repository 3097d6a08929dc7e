job "mesh-tproxy" {
  group "g" {
    network {
      mode = "bridge"
      port "healthz" {
        to = -1
      }
    }
    service {
      name = "web"
      port = "8080"
      connect {
        sidecar_service {
          disable_default_tcp_check = true
          proxy {
            transparent_proxy {
              uid                    = "101"
              outbound_port          = 15001
              exclude_inbound_ports  = ["9000"]
              exclude_outbound_ports = [443]
              exclude_outbound_cidrs = ["10.0.0.0/8"]
              exclude_uids           = ["0"]
              no_dns                 = false
            }
            expose {
              path {
                path            = "/health"
                protocol        = "http"
                local_path_port = 8080
                listener_port   = "healthz"
              }
            }
          }
        }
      }
    }
    task "web" {
      driver = "docker"
      config { image = "web:1" }
    }
  }
}
