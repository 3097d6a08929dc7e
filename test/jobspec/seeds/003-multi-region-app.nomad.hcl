# Fixed: the service's port "http" must be a port of the group's network
# (see invalid/73-seed-multi-region-app-undefined-port), so the group declares it and the task maps it.
# From seed 003_45d511daa4142bbb.txt, HCL snippet 2.
job "multi-region-app" {
  datacenters = ["us-west-1", "us-east-1"]
  type = "service"

  group "web" {
    count = 3

    spread {
      attribute = "${attr.datacenter}"
      target "us-west-1" {
        percent = 50
      }
      target "us-east-1" {
        percent = 50
      }
    }

    network {
      port "http" {
        to = 80
      }
    }

    task "web" {
      driver = "docker"
      config {
        image = "nginx:latest"
        ports = ["http"]
      }

      service {
        name = "web"
        port = "http"
      }
    }
  }
}
