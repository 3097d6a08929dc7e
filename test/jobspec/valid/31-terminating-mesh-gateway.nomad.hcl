job "gateways" {
  group "term" {
    network {
      mode = "bridge"
    }
    service {
      name = "term-gw"
      connect {
        gateway {
          terminating {
            service {
              name    = "legacy-db"
              ca_file = "/etc/ssl/ca.pem"
              sni     = "db.legacy"
            }
          }
        }
      }
    }
  }
  group "mesh" {
    network {
      mode = "bridge"
      port "mesh_wan" {}
    }
    service {
      name = "mesh-gw"
      port = "mesh_wan"
      connect {
        gateway {
          proxy {}
          mesh {}
        }
      }
    }
  }
}
