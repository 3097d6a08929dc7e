# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 36:9: task "app" service "app": more than one check without a name (Nomad names each "service: \"app\" check"); give the checks names
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
          type     = "http"
          path     = "/health"
          interval = "10s"
          timeout  = "2s"
        }

        check {
          type     = "tcp"
          interval = "30s"
          timeout  = "5s"
        }
      }
    }
  }
}
