job "ingress" {
  group "gw" {
    network {
      mode = "bridge"
      port "inbound" {
        static = 8080
        to     = 8080
      }
    }
    service {
      name = "ingress-gw"
      port = "8080"
      connect {
        gateway {
          proxy {
            connect_timeout                     = "3s"
            envoy_gateway_bind_tagged_addresses = false
            envoy_gateway_bind_addresses "default" {
              address = "0.0.0.0"
              port    = 8080
            }
          }
          ingress {
            tls {
              enabled         = true
              tls_min_version = "TLSv1_2"
            }
            listener {
              port     = 8080
              protocol = "http"
              service {
                name  = "web"
                hosts = ["web.example.com"]
                request_headers {
                  add {
                    X-Gateway = "ingress"
                  }
                  remove = ["X-Debug"]
                }
              }
            }
          }
        }
      }
    }
  }
}
