job "shorthand" {
  constraint {
    attribute = "${attr.nomad.version}"
    version   = ">= 1.6.0, < 2.0"
  }
  constraint {
    attribute = "${attr.os.version}"
    semver    = ">= 22.4.0"
  }
  constraint {
    attribute = "${node.datacenter}"
    regexp    = "^us-"
  }
  constraint {
    attribute    = "${meta.tags}"
    set_contains = "ssd,nvme"
  }
  group "g" {
    constraint {
      distinct_hosts = true
    }
    constraint {
      distinct_property = "${meta.rack}"
      value             = "2"
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
