# Constraints and affinities without an operator, at every level they are
# written: jobspec2 fills "=" for them. distinct_hosts keeps its boolean.
job "placement-defaults" {
  datacenters = ["dc1"]

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  constraint {
    distinct_hosts = false
  }

  affinity {
    attribute = "${node.datacenter}"
    value     = "dc1"
    weight    = 40
  }

  group "workers" {
    count = 2

    constraint {
      attribute = "${meta.tier}"
      value     = "batch"
    }

    constraint {
      distinct_hosts = true
    }

    affinity {
      attribute = "${meta.zone}"
      value     = "b"
      weight    = -20
    }

    task "crunch" {
      driver = "exec"

      config {
        command = "/usr/bin/crunch"
      }

      constraint {
        attribute = "${attr.cpu.arch}"
        value     = "arm64"
      }

      affinity {
        attribute = "${attr.os.name}"
        value     = "debian"
        weight    = 10
      }

      resources {
        cpu    = 200
        memory = 128

        device "nvidia/gpu" {
          count = 1

          constraint {
            attribute = "${device.model}"
            value     = "Tesla T4"
          }

          affinity {
            attribute = "${device.attr.memory}"
            value     = "16 GiB"
            weight    = 50
          }
        }
      }
    }
  }
}
