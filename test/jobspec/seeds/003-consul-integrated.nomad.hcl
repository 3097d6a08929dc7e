# Fixed: Nomad names an unnamed check "service: \"<name>\" check", so it
# refuses a service with two unnamed checks (see
# invalid/58-seed-consul-integrated-unnamed-checks); the checks get names.
# From seed 003_45d511daa4142bbb.txt, HCL snippet 21.
job "consul-integrated" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    network {
      port "http" {
        static = 8080
      }
    }

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
        ports = ["http"]
      }

      service {
        name = "app"
        port = "http"
        tags = ["v1", "api"]

        check {
          name     = "http"
          type     = "http"
          path     = "/health"
          interval = "10s"
          timeout  = "2s"
        }

        check {
          name     = "tcp"
          type     = "tcp"
          interval = "30s"
          timeout  = "5s"
        }
      }
    }
  }
}
