# From seed 003_45d511daa4142bbb.txt, HCL snippet 24.
job "custom-network" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 2

    network {
      mode = "bridge"
      port "http" {
        static = 8080
        to     = 80
      }
    }

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
        ports = ["http"]
        network_mode = "bridge"
      }

      service {
        name = "app"
        port = "http"
      }
    }
  }
}
