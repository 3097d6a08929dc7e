# From seed 003_45d511daa4142bbb.txt, HCL snippet 11.
job "spread-app" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 6

    spread {
      attribute = "${attr.unique.hostname}"
      target "dc1" {
        percent = 100
      }
    }

    spread {
      attribute = "${attr.meta.rack}"
      target "rack1" {
        percent = 50
      }
      target "rack2" {
        percent = 50
      }
    }

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }
    }
  }
}
