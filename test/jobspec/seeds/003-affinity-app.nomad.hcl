# Fixed: the seed labels its affinity blocks; Nomad refuses labels there
# (see invalid/51-seed-affinity-labels), so each label became a comment.
# From seed 003_45d511daa4142bbb.txt, HCL snippet 10.
job "affinity-app" {
  datacenters = ["dc1"]
  type = "service"

  group "app" {
    count = 3

    affinity { # prefer_ssd
      attribute = "${attr.storage.ssd}"
      value     = "true"
      weight    = 50
    }

    affinity { # prefer_same_rack
      attribute = "${attr.meta.rack}"
      value     = "${attr.meta.rack}"
      weight    = 100
    }

    affinity { # avoid_old_hardware
      attribute = "${attr.cpu.modelname}"
      value     = "Intel(R) Core(TM) i5-2500"
      weight    = -50
    }

    task "app" {
      driver = "docker"
      config {
        image = "myapp:latest"
      }
    }
  }
}
