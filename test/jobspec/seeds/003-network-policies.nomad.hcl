# From seed 003_45d511daa4142bbb.txt, HCL snippet 25.
job "network-policies" {
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
        tags = ["internal"]
      }
    }
  }
}
