job "svc-nomad" {
  group "g" {
    network {
      port "http" {}
    }
    task "t" {
      driver = "exec"
      config { command = "web" }
      service {
        name              = "web-native"
        provider          = "nomad"
        port              = "http"
        address_mode      = "host"
        enable_tag_override = true
        on_update         = "ignore"
        tagged_addresses {
          lan = "10.0.0.1"
        }
        weights {
          passing = 10
          warning = 1
        }
        check {
          type     = "http"
          path     = "/"
          interval = "10s"
          timeout  = "2s"
        }
      }
    }
  }
}
