job "gateways-full" {
  group "ingress" {
    network {
      mode = "bridge"
      port "http" {
        static = 8443
      }
    }
    service {
      name    = "ingress"
      port    = "http"
      cluster = "default"
      address = "10.1.2.3"
      check_restart {
        limit = 2
        grace = "10s"
      }
      identity {
        aud         = ["consul.io"]
        ttl         = "1h"
        change_mode = "noop"
      }
      connect {
        gateway {
          proxy {
            envoy_gateway_no_default_bind = true
            envoy_dns_discovery_type      = "STRICT_DNS"
            config {
              envoy_stats_flush_interval = "5s"
            }
          }
          ingress {
            tls {
              enabled         = true
              tls_min_version = "TLSv1_2"
              tls_max_version = "TLSv1_3"
              cipher_suites   = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
              sds {
                cluster_name  = "sds-cluster"
                cert_resource = "wildcard"
              }
            }
            listener {
              port     = 8443
              protocol = "http"
              service {
                name                    = "api"
                hosts                   = ["api.example.com"]
                max_connections         = 100
                max_pending_requests    = 50
                max_concurrent_requests = 25
                tls {
                  sds {
                    cluster_name  = "sds-cluster"
                    cert_resource = "api-cert"
                  }
                }
                request_headers {
                  set {
                    X-Forwarded-Proto = "https"
                  }
                }
                response_headers {
                  add {
                    X-Served-By = "ingress"
                  }
                  set {
                    Cache-Control = "no-store"
                  }
                  remove = ["Server"]
                }
              }
            }
          }
        }
      }
    }
  }
  group "terminating" {
    network {
      mode = "bridge"
    }
    service {
      name = "terminating"
      connect {
        gateway {
          terminating {
            service {
              name      = "payments"
              ca_file   = "/etc/tls/ca.pem"
              cert_file = "/etc/tls/client.pem"
              key_file  = "/etc/tls/client-key.pem"
            }
          }
        }
      }
    }
  }
}
