job "svc-http" {
  group "g" {
    network {
      port "http" {
        to = 80
      }
    }
    service {
      name         = "web"
      port         = "http"
      provider     = "consul"
      tags         = ["urlprefix-/", "v1"]
      canary_tags  = ["canary"]
      address_mode = "auto"
      meta {
        version = "1"
      }
      canary_meta {
        version = "2"
      }
      check {
        name     = "alive"
        type     = "http"
        path     = "/health"
        method   = "GET"
        protocol = "http"
        interval = "10s"
        timeout  = "2s"
        header {
          Authorization = ["Bearer x"]
          X-Check       = ["1", "2"]
        }
        check_restart {
          limit           = 3
          grace           = "30s"
          ignore_warnings = true
        }
      }
    }
    task "t" {
      driver = "docker"
      config {
        image = "nginx"
        ports = ["http"]
      }
    }
  }
}
