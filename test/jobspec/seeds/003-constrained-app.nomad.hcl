# From seed 003_45d511daa4142bbb.txt, HCL snippet 9.
job "constrained-app" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    constraint {
      attribute = "${attr.kernel.name}"
      value     = "linux"
    }

    constraint {
      attribute = "${attr.cpu.arch}"
      value     = "amd64"
    }

    constraint {
      attribute = "${attr.driver.docker}"
      value     = "1"
    }

    constraint {
      attribute = "${attr.meta.environment}"
      value     = "production"
    }

    constraint {
      attribute = "${attr.unique.hostname}"
      regexp    = "web-.*"
    }

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }
    }
  }
}
