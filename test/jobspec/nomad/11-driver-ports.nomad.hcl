# A task service and its check on the container's own port: a numeric port
# needs address_mode = "driver".
job "storefront" {
  group "web" {
    network {
      mode = "bridge"
    }

    task "shop" {
      driver = "docker"

      config {
        image = "example/shop:4.1"
      }

      service {
        name         = "shop"
        port         = "8080"
        address_mode = "driver"

        check {
          type         = "http"
          path         = "/ready"
          interval     = "10s"
          timeout      = "2s"
          address_mode = "driver"
        }
      }
    }
  }
}
